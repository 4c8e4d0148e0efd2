/**
 * @module The cryptoperiod of a key or secret (its own schedule: kvguard-rotate-every, or a key rotation
 * policy's Rotate after creation, else the configured default), and the evidence that rotation happened:
 * kvguard's history and status, and the audit logs' new-version records when they were read.
 */
import type { ComplianceConfig } from "../config/complianceSettings.js";
import { isoDay, type ObjectFacts } from "./check.js";

/** The object's cryptoperiod in days and where it came from. */
export function cryptoperiod(facts: ObjectFacts, config: ComplianceConfig): { days: number; source: string } {
  if (facts.kvguardPolicy.kind === "policy" && facts.kvguardPolicy.rotateEverySeconds !== undefined) {
    return { days: facts.kvguardPolicy.rotateEverySeconds / 86_400, source: "kvguard-rotate-every" };
  }
  const afterCreate = facts.rotationPolicy?.rotate.map((r) => r.afterCreateDays).filter((d) => d !== undefined);
  if (afterCreate?.length) return { days: Math.min(...afterCreate), source: "key rotation policy" };
  return { days: config.cryptoperiodDays, source: "KVGUARD_COMPLIANCE_CRYPTOPERIOD_DAYS" };
}

export function rotationEvidence(facts: ObjectFacts): { summary: string[]; evidence: Record<string, unknown> } {
  const latest = facts.rotations[0];
  const summary: string[] = [];
  const newestVersion = facts.newestVersion;
  if (latest) {
    const confirms = latest.version !== undefined && latest.version === newestVersion;
    summary.push(confirms ? `kvguard history confirms the rotation of ${isoDay(latest.at)}` : `kvguard's last rotation was ${isoDay(latest.at)} (another version is newest)`);
  } else {
    summary.push("no kvguard rotation on record");
  }
  if (facts.audit) {
    const made = facts.audit.filter((a) => /^(KeyRotate|KeyRotateIfDue|KeyCreate|KeyImport|SecretSet|SecretRestore|KeyRestore)$/.test(a.operation));
    summary.push(made.length ? `${made.length} new-version record(s) in the audit logs, the last ${made[0]!.operation} on ${isoDay(made[0]!.time)}` : "no new-version record in the audit logs read");
  }
  return {
    summary,
    evidence: {
      versions: facts.versionTimes.length,
      newestVersion: newestVersion ?? null,
      kvguardRotations: facts.rotations.slice(0, 5).map((r) => ({ at: r.at, version: r.version ?? null, trigger: r.trigger ?? null })),
      kvguardStatus: facts.status ? { state: facts.status.state, lastSuccessAt: facts.status.lastSuccessAt ?? null, lastError: facts.status.lastError ?? null } : null,
      auditRecords: facts.audit ? facts.audit.slice(0, 10) : "not read",
    },
  };
}
