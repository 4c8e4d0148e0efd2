/**
 * @module What a check is in code: its definition (id, title, controls, parameters) and a function that
 * judges one subject, and the facts an object check reads (properties only: never a value).
 */
import { DAY_MS } from "../common/duration.js";
import type { ComplianceConfig } from "../config/complianceSettings.js";
import type { HistoryRow } from "../rotation/history.js";
import type { RotationStatus } from "../rotation/status.js";
import type { CheckDefinition, InventoryItem, Outcome, VaultFacts } from "./model.js";

export interface Verdict {
  outcome: Outcome;
  reason: string;
  evidence?: Record<string, unknown>;
}

/** A key's native rotation policy, reduced to what the checks read. */
export interface NativeRotationPolicy {
  /** Rotate actions: days after creation, or days before expiry. */
  rotate: { afterCreateDays?: number; beforeExpiryDays?: number }[];
  /** The policy's `expiresIn` (the expiry it gives new versions), in days. */
  expiresInDays?: number;
}

/** Management operations on one object found in the audit logs. */
export interface AuditTrace {
  operation: string;
  time: string;
  version?: string;
  principal?: string;
}

/** kvguard's rotation policy for an object (tags over the policy file), reduced to what the checks read. */
export type KvguardPolicy = { kind: "none" } | { kind: "invalid"; problems: string[] } | { kind: "policy"; rotator: string; rotateEverySeconds?: number };

/** Everything known about one key or secret. */
export interface ObjectFacts {
  item: InventoryItem;
  /** Creation times (ms) of every version, newest last. */
  versionTimes: number[];
  rotationPolicy?: NativeRotationPolicy;
  /** kvguard's rotation policy for it (tags over the policy file). */
  kvguardPolicy: KvguardPolicy;
  /** The newest version's id (32 hex characters). */
  newestVersion?: string;
  status?: RotationStatus;
  /** kvguard's finished rotations of it, newest first. */
  rotations: HistoryRow[];
  /** KeyRotate/KeyCreate/SecretSet... records, newest first; undefined when no audit source was read. */
  audit?: AuditTrace[];
}

export interface CheckContext {
  nowMs: number;
  config: ComplianceConfig;
  /** The vault's management-plane facts (its RBAC model decides which CIS number applies). */
  vault: VaultFacts;
}

export interface ObjectCheck {
  definition: CheckDefinition;
  /** Only enabled objects count, as CIS, Prowler and Azure Policy count them; false to judge disabled ones too. */
  enabledOnly: boolean;
  /** Deleted objects are judged only by checks that ask for them. */
  deleted?: boolean;
  evaluate(facts: ObjectFacts, ctx: CheckContext): Verdict;
}

export interface VaultCheck {
  definition: CheckDefinition;
  /** The ARM facts it needs; missing ones make the result an error. */
  needs: (keyof VaultFacts)[];
  evaluate(vault: VaultFacts, ctx: CheckContext): Verdict;
}

/** A check plug-in: one file in `checks/` named for its id, built with this run's configuration. */
export type CheckFactory = (config: ComplianceConfig) => ObjectCheck | VaultCheck;

export function isVaultCheck(check: ObjectCheck | VaultCheck): check is VaultCheck {
  return "needs" in check;
}

export function days(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function isoDay(ms: number | string | undefined): string | undefined {
  if (ms === undefined) return undefined;
  return new Date(ms).toISOString().slice(0, 10);
}
