/**
 * @module Who renews an object before it expires: Key Vault (a certificate's AutoRenew), kvguard (a rotation
 * policy whose next rotation comes first, a certificate kvguard renews from its policy), or nobody, with why.
 * Only objects nobody renews in time get expiry notices. Read from properties, policies and kvguard's status.
 */
import type { CertificatePolicy } from "@azure/keyvault-certificates";
import { parseDurationSeconds } from "../common/duration.js";
import { dueAtMs } from "../rotation/due.js";
import { resolvePolicy, type PolicyLimits } from "../rotation/policy.js";
import type { PolicyFileEntry } from "../rotation/policyFile.js";
import type { RotationStatus } from "../rotation/status.js";
import { resolveKeyPolicy } from "../rotators/keyvault-key/index.js";
import type { Rotators } from "../rotators/rotators.js";
import { certificateRenewer, isUnknownIssuer, type RenewedBy } from "./renewers.js";

export { isUnknownIssuer };

export interface Renewal {
  by: RenewedBy;
  /** Why (for `nobody`: why nothing renews it in time). */
  why: string;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** kvguard's own rotation of it has stopped working: whatever the policy says, it will not happen by itself. */
function failing(status: RotationStatus | undefined): Renewal | undefined {
  if (!status || status.state === "ok" || status.state === "no-policy") return undefined;
  const error = status.lastError ? `: ${status.lastError.slice(0, 300)}` : "";
  return { by: "nobody", why: `kvguard's rotation of it is ${status.state}${error}` };
}

export interface SecretFacts {
  tags?: Record<string, string>;
  createdOn?: Date;
  expiresOn: Date;
}

export function secretRenewal(
  rotators: Rotators,
  secret: SecretFacts,
  entry: PolicyFileEntry | undefined,
  limits: PolicyLimits,
  status: RotationStatus | undefined,
): Renewal {
  const resolved = resolvePolicy(rotators, secret.tags ?? {}, entry, limits);
  if (resolved.kind === "none") return { by: "nobody", why: "no rotation policy covers it (no kvguard-rotator tag or policy-file entry)" };
  if (resolved.kind === "invalid") return { by: "nobody", why: `its rotation policy is invalid: ${resolved.problems.join("; ").slice(0, 300)}` };
  const stopped = failing(status);
  if (stopped) return stopped;
  const dueAt = dueAtMs(resolved.policy, secret);
  if (dueAt === undefined || dueAt >= secret.expiresOn.getTime())
    return { by: "nobody", why: `its rotation policy's next rotation${dueAt === undefined ? "" : ` (${iso(dueAt)})`} falls after its expiry` };
  return { by: "kvguard", why: `kvguard rotates it with ${resolved.policy.rotator.name} from ${iso(dueAt)}` };
}

export interface KeyFacts {
  tags?: Record<string, string>;
  createdOn?: Date;
  expiresOn: Date;
}

export function keyRenewal(rotators: Rotators, key: KeyFacts, entry: PolicyFileEntry | undefined, status: RotationStatus | undefined): Renewal {
  const resolved = resolveKeyPolicy(rotators, key.tags, entry);
  if (resolved.kind === "none") return { by: "nobody", why: "no rotation policy covers it (no kvguard-rotator tag or policy-file entry)" };
  if (resolved.kind === "invalid") return { by: "nobody", why: `its rotation policy is invalid: ${resolved.problems.join("; ").slice(0, 300)}` };
  const stopped = failing(status);
  if (stopped) return stopped;
  const every = resolved.policy.rotateEvery;
  if (!every || !key.createdOn) return { by: "nobody", why: "its rotation policy sets a validity but no rotation period" };
  const next = key.createdOn.getTime() + parseDurationSeconds(every) * 1000;
  if (next >= key.expiresOn.getTime()) return { by: "nobody", why: `its next rotation (${iso(next)}, every ${every}) falls after its expiry` };
  return { by: "kvguard", why: `rotated every ${every} (Key Vault's rotation policy, kvguard when overdue), next ${iso(next)}` };
}

export function certificateRenewal(policy: CertificatePolicy | undefined, status: RotationStatus | undefined): Renewal {
  if (!policy) return { by: "nobody", why: "its policy could not be read" };
  const by = certificateRenewer(policy);
  if (by === "nobody")
    return {
      by: "nobody",
      why: "its issuer is Unknown (imported, or signed by a CA outside Key Vault): neither Key Vault nor kvguard can renew it, a person must have a new certificate signed and merge or import it",
    };
  const autoRenew = policy.lifetimeActions?.find((a) => a.action === "AutoRenew");
  if (by === "key-vault" && autoRenew) {
    const when =
      autoRenew.daysBeforeExpiry !== undefined ? `${autoRenew.daysBeforeExpiry} days before expiry` : `at ${autoRenew.lifetimePercentage}% of its life`;
    return { by: "key-vault", why: `Key Vault renews it by itself (AutoRenew ${when}, issuer ${policy.issuerName})` };
  }
  const stopped = failing(status);
  if (stopped) return { by: "nobody", why: stopped.why.replace("rotation", "renewal") };
  return { by: "kvguard", why: `kvguard renews it from its policy (issuer ${policy.issuerName}, no AutoRenew action)` };
}
