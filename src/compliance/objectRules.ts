/**
 * @module How the object checks judge, shared by the checks that apply one rule to keys, secrets and
 * certificates alike (each check's file holds its own metadata and picks its rule here). An object's
 * cryptoperiod is its own schedule (kvguard-rotate-every, or a key rotation policy's Rotate after creation),
 * else the configured default.
 */
import { DAY_MS } from "../common/duration.js";
import type { ComplianceConfig } from "../config/complianceSettings.js";
import { days, isoDay, type ObjectCheck, type ObjectFacts } from "./check.js";

type Evaluate = ObjectCheck["evaluate"];

/** An expiry is set on the current version. */
export const expirySet: Evaluate = ({ item }, { vault }) => {
  const evidence = { expiresOn: item.expiresOn ?? null, rbacAuthorization: vault.rbacAuthorization ?? null };
  return item.expiresOn
    ? { outcome: "pass", reason: `expires ${isoDay(item.expiresOn)}`, evidence }
    : { outcome: "fail", reason: `enabled ${item.type} with no expiration date`, evidence };
};

/** At least `limitDays` before expiry; a certificate says whether Key Vault renews it by itself. */
export function expiringSoon(limitDays: number): Evaluate {
  return ({ item }, { nowMs }) => {
    const renews = item.certificate ? { renewsItself: item.certificate.renewsItself } : {};
    if (!item.expiresOn) {
      const reason = item.type === "certificate" ? "not issued yet (no expiration date)" : "no expiration date (see the expiry-set check)";
      return { outcome: "not-applicable", reason, evidence: { expiresOn: null } };
    }
    const left = days(Date.parse(item.expiresOn) - nowMs);
    const evidence = { expiresOn: item.expiresOn, daysLeft: left, ...renews };
    if (left < 0) return { outcome: "fail", reason: `expired ${isoDay(item.expiresOn)}, ${-left} days ago`, evidence };
    if (left >= limitDays) return { outcome: "pass", reason: `expires ${isoDay(item.expiresOn)}, in ${left} days`, evidence };
    return {
      outcome: "fail",
      reason: `expires ${isoDay(item.expiresOn)}, in ${left} days; the limit is ${limitDays}${item.certificate?.renewsItself ? " (Key Vault renews it by itself)" : ""}`,
      evidence,
    };
  };
}

/** Created to expiry within `limitDays`; no expiry fails. */
export function maxValidity(limitDays: number): Evaluate {
  return ({ item }) => {
    if (!item.expiresOn || !item.created)
      return { outcome: "fail", reason: "no expiration date, so no bounded validity", evidence: { created: item.created ?? null, expiresOn: null } };
    const validity = days(Date.parse(item.expiresOn) - Date.parse(item.created));
    const evidence = { created: item.created, expiresOn: item.expiresOn, validityDays: validity };
    return validity <= limitDays
      ? { outcome: "pass", reason: `valid for ${validity} days`, evidence }
      : { outcome: "fail", reason: `valid for ${validity} days; the limit is ${limitDays}`, evidence };
  };
}

/** Not-before (or created) to now within `limitDays`. */
export function activePeriod(limitDays: number): Evaluate {
  return ({ item }, { nowMs }) => {
    const start = item.notBefore ?? item.created;
    if (!start) return { outcome: "error", reason: "the current version has no creation time", evidence: {} };
    const active = days(nowMs - Date.parse(start));
    const evidence = { activeSince: start, activeDays: active };
    return active <= limitDays
      ? { outcome: "pass", reason: `active for ${active} days`, evidence }
      : { outcome: "fail", reason: `active for ${active} days since ${isoDay(start)}; the limit is ${limitDays}`, evidence };
  };
}

/** Nothing enabled has expired. */
export const enabledExpired: Evaluate = ({ item }, { nowMs }) => {
  const evidence = { enabled: item.enabled, expiresOn: item.expiresOn ?? null };
  if (!item.expiresOn || Date.parse(item.expiresOn) > nowMs)
    return { outcome: "pass", reason: item.expiresOn ? "not expired" : "no expiration date", evidence };
  return { outcome: "fail", reason: `enabled, expired ${isoDay(item.expiresOn)} (${days(nowMs - Date.parse(item.expiresOn))} days ago)`, evidence };
};

/** The object's cryptoperiod in days and where it came from. */
function cryptoperiod(facts: ObjectFacts, config: ComplianceConfig): { days: number; source: string } {
  if (facts.kvguardPolicy.kind === "policy" && facts.kvguardPolicy.rotateEverySeconds !== undefined) {
    return { days: facts.kvguardPolicy.rotateEverySeconds / 86_400, source: "kvguard-rotate-every" };
  }
  const afterCreate = facts.rotationPolicy?.rotate.map((r) => r.afterCreateDays).filter((d) => d !== undefined);
  if (afterCreate?.length) return { days: Math.min(...afterCreate), source: "key rotation policy" };
  return { days: config.cryptoperiodDays, source: "KVGUARD_COMPLIANCE_CRYPTOPERIOD_DAYS" };
}

function rotationEvidence(facts: ObjectFacts): { summary: string[]; evidence: Record<string, unknown> } {
  const latest = facts.rotations[0];
  const summary: string[] = [];
  const newestVersion = facts.newestVersion;
  if (latest) {
    const confirms = latest.version !== undefined && latest.version === newestVersion;
    summary.push(
      confirms
        ? `kvguard history confirms the rotation of ${isoDay(latest.at)}`
        : `kvguard's last rotation was ${isoDay(latest.at)} (another version is newest)`,
    );
  } else {
    summary.push("no kvguard rotation on record");
  }
  if (facts.audit) {
    const made = facts.audit.filter((a) => /^(KeyRotate|KeyRotateIfDue|KeyCreate|KeyImport|SecretSet|SecretRestore|KeyRestore)$/.test(a.operation));
    summary.push(
      made.length
        ? `${made.length} new-version record(s) in the audit logs, the last ${made[0]!.operation} on ${isoDay(made[0]!.time)}`
        : "no new-version record in the audit logs read",
    );
  }
  return {
    summary,
    evidence: {
      versions: facts.versionTimes.length,
      newestVersion: newestVersion ?? null,
      kvguardRotations: facts.rotations.slice(0, 5).map((r) => ({ at: r.at, version: r.version ?? null, trigger: r.trigger ?? null })),
      kvguardStatus: facts.status
        ? { state: facts.status.state, lastSuccessAt: facts.status.lastSuccessAt ?? null, lastError: facts.status.lastError ?? null }
        : null,
      auditRecords: facts.audit ? facts.audit.slice(0, 10) : "not read",
    },
  };
}

/** The newest version is younger than the object's cryptoperiod, with kvguard's history and the audit records. */
export function rotatedWithinCryptoperiod(config: ComplianceConfig): Evaluate {
  return (facts, { nowMs }) => {
    const period = cryptoperiod(facts, config);
    const newest = facts.versionTimes.at(-1);
    const { summary, evidence } = rotationEvidence(facts);
    if (newest === undefined) return { outcome: "error", reason: "its versions could not be listed", evidence };
    const ageDays = days(nowMs - newest);
    const full = {
      ...evidence,
      newestVersionCreated: new Date(newest).toISOString(),
      ageDays,
      cryptoperiodDays: period.days,
      cryptoperiodSource: period.source,
    };
    const within = nowMs - newest <= period.days * DAY_MS;
    const what =
      facts.versionTimes.length === 1
        ? `created ${isoDay(newest)} (${ageDays} days ago), never rotated`
        : `newest of ${facts.versionTimes.length} versions made ${isoDay(newest)} (${ageDays} days ago)`;
    const reason = `${what}; cryptoperiod ${period.days} days (${period.source}); ${summary.join("; ")}`;
    return { outcome: within ? "pass" : "fail", reason, evidence: full };
  };
}

/** A disabled object is a finding (judged on disabled objects too). */
export const disabledObject: Evaluate = ({ item }) =>
  item.enabled
    ? { outcome: "pass", reason: "enabled", evidence: { enabled: true } }
    : { outcome: "fail", reason: `disabled (last updated ${isoDay(item.updated) ?? "unknown"})`, evidence: { enabled: false, updated: item.updated ?? null } };

/** A soft-deleted object is a finding (judged on deleted objects only). */
export const deletedAwaitingPurge: Evaluate = ({ item }) => ({
  outcome: "fail",
  reason: `soft-deleted ${isoDay(item.deleted?.deletedOn) ?? "at an unknown time"}, purged ${isoDay(item.deleted?.scheduledPurgeDate) ?? "never (no purge date)"}`,
  evidence: { deletedOn: item.deleted?.deletedOn ?? null, scheduledPurgeDate: item.deleted?.scheduledPurgeDate ?? null },
});

/** kvguard rotates it: a rotation policy (tags or policy file) that parses. */
export const kvguardPolicy: Evaluate = ({ kvguardPolicy: policy, status }) => {
  const evidence = { policy: policy.kind, statusState: status?.state ?? null };
  if (policy.kind === "policy") return { outcome: "pass", reason: `rotated by kvguard's ${policy.rotator} rotator`, evidence };
  if (policy.kind === "invalid") return { outcome: "fail", reason: `its rotation policy is invalid: ${policy.problems.join("; ")}`, evidence };
  return { outcome: "fail", reason: "no kvguard rotation policy", evidence };
};

/** The key type (kty) is one of `allowed`. */
export function allowedKeyType(allowed: readonly string[]): Evaluate {
  return ({ item }) =>
    item.keyType && allowed.includes(item.keyType)
      ? { outcome: "pass", reason: `type ${item.keyType}`, evidence: { keyType: item.keyType } }
      : { outcome: "fail", reason: `type ${item.keyType ?? "unknown"} is not in ${allowed.join(", ")}`, evidence: { keyType: item.keyType ?? null } };
}

/** RSA keys have at least `minimumBits`; other keys are not judged. */
export function rsaMinSize(minimumBits: number): Evaluate {
  return ({ item }) => {
    if (!item.keyType?.startsWith("RSA"))
      return { outcome: "not-applicable", reason: `not an RSA key (${item.keyType ?? "unknown"})`, evidence: { keyType: item.keyType ?? null } };
    const evidence = { keyType: item.keyType, keySize: item.keySize ?? null };
    if (item.keySize === undefined) return { outcome: "error", reason: "its key size could not be read", evidence };
    return item.keySize >= minimumBits
      ? { outcome: "pass", reason: `RSA ${item.keySize} bits`, evidence }
      : { outcome: "fail", reason: `RSA ${item.keySize} bits; the minimum is ${minimumBits}`, evidence };
  };
}

/** EC keys are on a curve of `allowed`; other keys are not judged. */
export function ecCurve(allowed: readonly string[]): Evaluate {
  return ({ item }) => {
    if (!item.keyType?.startsWith("EC"))
      return { outcome: "not-applicable", reason: `not an EC key (${item.keyType ?? "unknown"})`, evidence: { keyType: item.keyType ?? null } };
    const evidence = { keyType: item.keyType, curve: item.curve ?? null };
    return item.curve && allowed.includes(item.curve)
      ? { outcome: "pass", reason: `curve ${item.curve}`, evidence }
      : { outcome: "fail", reason: `curve ${item.curve ?? "unknown"} is not in ${allowed.join(", ")}`, evidence };
  };
}
