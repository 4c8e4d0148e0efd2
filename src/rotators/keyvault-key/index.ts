/**
 * @module `keyvault-key`: Key Vault keys rotate natively. kvguard makes sure each managed key carries the
 * native rotation policy its kvguard policy asks for (rotate every N, expire after M, notify before expiry),
 * and calls `rotateKey` itself when a key is overdue (a missing or lagging native rotation).
 */
import type { KeyClient, KeyRotationLifetimeAction, KeyRotationPolicyProperties } from "@azure/keyvault-keys";
import { parseDurationSeconds } from "../../common/duration.js";
import type { PolicyFileEntry } from "../../rotation/policyFile.js";
import { TAGS } from "../../rotation/policy.js";

export const KEY_ROTATOR = "keyvault-key";
export const KEY_TAGS = { notifyBeforeExpiry: "kvguard-notify-before-expiry" } as const;

export interface KeyPolicy {
  /** ISO-8601, as Key Vault's policy takes it. */
  rotateEvery?: string;
  expiresIn?: string;
  notifyBeforeExpiry?: string;
}

export type KeyPolicyResult = { kind: "none" } | { kind: "policy"; policy: KeyPolicy } | { kind: "invalid"; problems: string[] };

const DAY = 86_400;

function duration(problems: string[], tag: string, text: string | undefined, minSeconds: number, rule: string): string | undefined {
  if (text === undefined) return undefined;
  try {
    const seconds = parseDurationSeconds(text);
    if (seconds < minSeconds) problems.push(`${tag}: ${text} is shorter than ${rule}`);
    return text.startsWith("P") ? text : `PT${seconds}S`;
  } catch (error) {
    problems.push(`${tag}: ${(error as Error).message}`);
    return undefined;
  }
}

export function resolveKeyPolicy(tags: Record<string, string> | undefined, entry?: PolicyFileEntry): KeyPolicyResult {
  const t = tags ?? {};
  if (entry?.invalid) return { kind: "invalid", problems: [entry.invalid] };
  const rotator = t[TAGS.rotator] ?? entry?.rotator;
  if (rotator === undefined) return { kind: "none" };
  if (rotator !== KEY_ROTATOR) return { kind: "invalid", problems: [`${TAGS.rotator}: keys rotate with "${KEY_ROTATOR}", not "${rotator}"`] };
  const problems: string[] = [];
  // Key Vault's own limits: rotate at least 7 days after creation, expire no sooner than 28 days.
  const rotateEvery = duration(problems, TAGS.rotateEvery, t[TAGS.rotateEvery] ?? entry?.rotateEvery, 7 * DAY, "Key Vault's 7-day minimum");
  const validity = t[TAGS.validityPeriodDays] ?? entry?.validityPeriodDays?.toString();
  const expiresIn = duration(problems, TAGS.validityPeriodDays, validity === undefined ? undefined : `P${validity}D`, 28 * DAY, "Key Vault's 28-day minimum");
  const notifyBeforeExpiry = duration(problems, KEY_TAGS.notifyBeforeExpiry, t[KEY_TAGS.notifyBeforeExpiry], 7 * DAY, "Key Vault's 7-day minimum");
  if (notifyBeforeExpiry && !expiresIn) problems.push(`${KEY_TAGS.notifyBeforeExpiry}: a notification before expiry needs ${TAGS.validityPeriodDays}`);
  if (!rotateEvery && !expiresIn) problems.push(`${TAGS.rotateEvery}: a key policy needs a rotation period or a validity`);
  if (problems.length) return { kind: "invalid", problems };
  return {
    kind: "policy",
    policy: { ...(rotateEvery ? { rotateEvery } : {}), ...(expiresIn ? { expiresIn } : {}), ...(notifyBeforeExpiry ? { notifyBeforeExpiry } : {}) },
  };
}

function desiredActions(policy: KeyPolicy): KeyRotationLifetimeAction[] {
  return [
    ...(policy.rotateEvery ? [{ action: "Rotate" as const, timeAfterCreate: policy.rotateEvery }] : []),
    ...(policy.notifyBeforeExpiry ? [{ action: "Notify" as const, timeBeforeExpiry: policy.notifyBeforeExpiry }] : []),
  ];
}

function sameActions(a: KeyRotationLifetimeAction[], b: KeyRotationLifetimeAction[]): boolean {
  const key = (x: KeyRotationLifetimeAction) => `${x.action.toLowerCase()}|${x.timeAfterCreate ?? ""}|${x.timeBeforeExpiry ?? ""}`;
  return a.map(key).sort().join() === b.map(key).sort().join();
}

export interface KeyReconcileResult {
  policyUpdated: boolean;
  rotatedVersion?: string;
  previousVersion: string;
}

/** Brings the key's native policy in line, and rotates the key when it is overdue (or when forced). */
export async function reconcileKey(keys: KeyClient, name: string, policy: KeyPolicy, nowMs: number, force: boolean): Promise<KeyReconcileResult> {
  const native = await keys.getKeyRotationPolicy(name);
  const desired: KeyRotationPolicyProperties = { lifetimeActions: desiredActions(policy), ...(policy.expiresIn ? { expiresIn: policy.expiresIn } : {}) };
  const policyUpdated = !sameActions(native.lifetimeActions ?? [], desired.lifetimeActions ?? []) || native.expiresIn !== desired.expiresIn;
  if (policyUpdated) await keys.updateKeyRotationPolicy(name, desired);
  const key = await keys.getKey(name);
  const previousVersion = key.properties.version!;
  const created = key.properties.createdOn?.getTime() ?? nowMs;
  const overdue = policy.rotateEvery !== undefined && nowMs >= created + parseDurationSeconds(policy.rotateEvery) * 1000;
  if (!overdue && !force) return { policyUpdated, previousVersion };
  const rotated = await keys.rotateKey(name);
  return { policyUpdated, previousVersion, rotatedVersion: rotated.properties.version! };
}
