/**
 * @module What the next N days hold, per vault: every object that will rotate, renew (a certificate Key
 * Vault renews), expire or have its previous credential revoked, when and why, from the same due dates, policies and statuses the sweep acts on
 * (`due.ts`, `policy.ts`, `status.ts`). What is invalid or stuck (an invalid policy, a failed rotation, one
 * retrying) comes first. Properties only: no secret value is read.
 */
import type { CertificateClient, CertificateProperties } from "@azure/keyvault-certificates";
import { parseDurationSeconds } from "../common/duration.js";
import { ensureError } from "../common/errors.js";
import { resolveKeyPolicy } from "../rotators/keyvault-key/index.js";
import type { Rotators } from "../rotators/rotators.js";
import { decide, dueAtMs } from "../rotation/due.js";
import type { EngineVault } from "../rotation/engine.js";
import { isPendingName } from "../rotation/pending.js";
import { resolveNativePolicy } from "../rotation/nativePolicy.js";
import { resolvePolicy, type PolicyLimits } from "../rotation/policy.js";
import { matchEntry, type PolicyFile } from "../rotation/policyFile.js";
import { byObject, objectKey, pendingRevokes, type RotationStatus, type StatusStore } from "../rotation/status.js";
import { certificateEvents } from "./certificates.js";
import { DAY_MS } from "../common/duration.js";

export type PlanAction = "rotate" | "renew" | "expire" | "revoke";

export interface PlanItem {
  vault: string;
  kind: "secret" | "key" | "certificate";
  name: string;
  action: PlanAction;
  /** When it happens (ISO); the plan's own time for what is already overdue. */
  at: string;
  overdue: boolean;
  /** What makes it happen: the policy's schedule, the expiry (Key Vault's NearExpiry event), a grace period. */
  why: string;
}

export interface PlanProblem {
  vault: string;
  kind: "secret" | "key";
  name: string;
  problem: "invalid-policy" | "failed" | "failing";
  message: string;
}

export interface VaultPlan {
  vault: string;
  problems: PlanProblem[];
  items: PlanItem[];
  /** Why the vault could not be read, when it could not. */
  error?: string;
}

export interface Plan {
  generatedAt: string;
  days: number;
  until: string;
  vaults: VaultPlan[];
}

/** What a plan reads: the rotation service has all of it. */
export interface PlanSources {
  vaults: Iterable<EngineVault>;
  status: Pick<StatusStore, "list">;
  policyFile: PolicyFile;
  /** The operator's floors: a policy below them is invalid, as the sweep finds it. */
  limits: PolicyLimits;
  /** The rotators policies may name (the app's registry). */
  rotators: Rotators;
  /** The secret kvguard keeps its value HMAC key in: not a credential of anyone's. */
  hmacSecretName: string;
  nowMs: number;
  /** A certificate client for the vault; without it, certificates are left out. */
  certificates?: (vault: EngineVault) => CertificateClient;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Why a secret falls due at `dueAt`: its schedule after the current version, or its expiry coming near. */
function secretWhy(policy: Parameters<typeof dueAtMs>[0], current: { createdOn?: Date; expiresOn?: Date }, dueAt: number): string {
  const fromSchedule = policy.rotateEverySeconds !== undefined && current.createdOn && current.createdOn.getTime() + policy.rotateEverySeconds * 1000 === dueAt;
  if (fromSchedule) return `policy: rotate every ${policy.rotateEverySeconds! / 86_400} days after the current version (${current.createdOn!.toISOString()})`;
  return `expiry: ${policy.rotateBeforeExpiryDays} days before it expires at ${current.expiresOn!.toISOString()} (Key Vault's NearExpiry event)`;
}

function statusProblem(vault: string, kind: "secret" | "key", name: string, status: RotationStatus | undefined): PlanProblem | undefined {
  if (status?.state === "failed") {
    return {
      vault,
      kind,
      name,
      problem: "failed",
      message: `rotation failed after ${status.attempts} attempts at ${status.lastErrorAt ?? "?"}: ${status.lastError ?? "no error recorded"}; the sweep tries again after ${status.nextAttemptAt ?? "its cool-down"}`,
    };
  }
  if (status?.state === "failing") {
    return {
      vault,
      kind,
      name,
      problem: "failing",
      message: `rotation failing (attempt ${status.attempts}), next attempt ${status.nextAttemptAt ?? "on the next sweep"}: ${status.lastError ?? ""}`,
    };
  }
  return undefined;
}

async function planVault(vault: EngineVault, sources: PlanSources, untilMs: number): Promise<VaultPlan> {
  const name = vault.target.name;
  const out: VaultPlan = { vault: name, problems: [], items: [] };
  const now = sources.nowMs;
  const statuses = byObject(await sources.status.list(name));
  const add = (kind: PlanItem["kind"], object: string, action: PlanAction, atMs: number, why: string) => {
    if (atMs <= untilMs) out.items.push({ vault: name, kind, name: object, action, at: iso(Math.max(atMs, now)), overdue: atMs < now, why });
  };
  const expiry = (kind: PlanItem["kind"], object: string, expiresOn: Date | undefined, enabled: boolean | undefined, why: string) => {
    if (expiresOn && enabled !== false) add(kind, object, "expire", expiresOn.getTime(), why);
  };
  /** An object without a valid policy: an invalid one is a problem; either way only its expiry lies ahead. */
  const unrotated = (
    kind: PlanProblem["kind"],
    object: { name: string; expiresOn?: Date; enabled?: boolean },
    resolved: { kind: "none" } | { kind: "invalid"; problems: string[] },
  ) => {
    if (resolved.kind === "invalid")
      out.problems.push({ vault: name, kind, name: object.name, problem: "invalid-policy", message: resolved.problems.join("; ") });
    const why = resolved.kind === "invalid" ? "expiry; its rotation policy is invalid, so nothing rotates it" : "expiry; no rotation policy";
    expiry(kind, object.name, object.expiresOn, object.enabled, why);
  };

  for await (const secret of vault.secrets.listPropertiesOfSecrets()) {
    // A certificate's own secret and key (managed) are planned with the certificate.
    if (secret.managed || isPendingName(secret.name) || secret.name.toLowerCase() === sources.hmacSecretName.toLowerCase()) continue;
    const status = statuses.get(objectKey("secret", secret.name));
    for (const revoke of pendingRevokes(status)) {
      // The audit-aware revoke's own record says when it already waits for consumers (revokeGate.ts).
      const waiting = revoke.heldAt
        ? `held at the maximum grace: consumers still on the previous credential (version ${revoke.version})`
        : revoke.alerted?.length
          ? `grace period of the previous credential (version ${revoke.version}) ended; waits for ${revoke.alerted.length} consumer(s) still on it`
          : undefined;
      add("secret", secret.name, "revoke", Date.parse(revoke.at), waiting ?? `grace period of the previous credential (version ${revoke.version}) ends`);
    }
    const resolved = resolvePolicy(sources.rotators, secret.tags, matchEntry(sources.policyFile.secrets, name, secret.name), sources.limits);
    if (resolved.kind !== "policy") {
      unrotated("secret", secret, resolved);
      continue;
    }
    const problem = statusProblem(name, "secret", secret.name, status);
    if (problem) out.problems.push(problem);
    const dueAt = dueAtMs(resolved.policy, secret);
    if (dueAt === undefined) continue;
    const decision = decide(resolved.policy, secret, Math.max(now, dueAt));
    const waiting = decision.due ? "" : `; ${decision.reason}`;
    add("secret", secret.name, "rotate", dueAt, `${secretWhy(resolved.policy, secret, dueAt)} by ${resolved.policy.rotator.name}${waiting}`);
  }

  for await (const key of vault.keys.listPropertiesOfKeys()) {
    if (key.managed) continue;
    const resolved = resolveKeyPolicy(sources.rotators, key.tags, matchEntry(sources.policyFile.keys, name, key.name));
    if (resolved.kind !== "policy") {
      unrotated("key", key, resolved);
      continue;
    }
    const problem = statusProblem(name, "key", key.name, statuses.get(objectKey("key", key.name)));
    if (problem) out.problems.push(problem);
    const every = resolved.policy.rotateEvery;
    if (every && key.createdOn) {
      add(
        "key",
        key.name,
        "rotate",
        key.createdOn.getTime() + parseDurationSeconds(every) * 1000,
        `policy: Key Vault's rotation policy rotates it every ${every} after the current version`,
      );
    } else expiry("key", key.name, key.expiresOn, key.enabled, "expiry; its policy sets a validity but no rotation period");
  }
  if (sources.certificates) {
    const kvguardRenewsAt = (certificate: CertificateProperties) => {
      const resolved = resolveNativePolicy(
        sources.rotators,
        "certificate",
        certificate.tags,
        matchEntry(sources.policyFile.certificates, name, certificate.name!),
      );
      if (resolved.kind !== "policy") return undefined;
      const due = resolved.rotator.due(
        resolved.policy,
        { name: certificate.name!, version: certificate.version ?? "", tags: certificate.tags ?? {}, expiresOn: certificate.expiresOn! },
        now,
      );
      return due.due ? now : due.nextDueAtMs;
    };
    for await (const c of certificateEvents(sources.certificates(vault), kvguardRenewsAt)) add("certificate", c.name, c.action, c.atMs, c.why);
  }
  out.items.sort((a, b) => a.at.localeCompare(b.at) || a.name.localeCompare(b.name));
  return out;
}

export async function buildPlan(sources: PlanSources, days: number): Promise<Plan> {
  if (!Number.isInteger(days) || days < 1) throw new Error(`--days takes a whole number of days from 1, got ${days}`);
  const untilMs = sources.nowMs + days * DAY_MS;
  const vaults: VaultPlan[] = [];
  for (const vault of sources.vaults) {
    try {
      vaults.push(await planVault(vault, sources, untilMs));
    } catch (error) {
      // One vault that cannot be read must not hide the others' plans.
      vaults.push({ vault: vault.target.name, problems: [], items: [], error: ensureError(error).message });
    }
  }
  return { generatedAt: iso(sources.nowMs), days, until: iso(untilMs), vaults };
}
