/**
 * @module Rotation checks: a key's native rotation policy rotates within N days (Azure Policy), and
 * "rotation actually happened": the newest version is younger than the object's cryptoperiod, cross-checked
 * with kvguard's rotation history and status and, when an audit source was read, the KeyRotate / SecretSet
 * records of the audit logs. The cryptoperiod is the object's own schedule (kvguard-rotate-every, or a key
 * rotation policy's Rotate after creation), else the configured default.
 */
import type { ComplianceConfig } from "../config/complianceSettings.js";
import { cis, ISO, MCSB, NIST_CRYPTOPERIODS, PCI, policy } from "./controls.js";
import { days, DAY_MS, isoDay, type ObjectCheck, type ObjectFacts } from "./check.js";

type Kind = "key" | "secret";

/** The object's cryptoperiod in days and where it came from. */
export function cryptoperiod(facts: ObjectFacts, config: ComplianceConfig): { days: number; source: string } {
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

export function rotationChecks(kind: Kind, config: ComplianceConfig): ObjectCheck[] {
  const checks: ObjectCheck[] = [
    {
      definition: {
        id: `${kind}-rotated-within-cryptoperiod`,
        title: `${kind === "key" ? "Keys" : "Secrets"} were rotated within their cryptoperiod`,
        scope: kind,
        rationale: "PCI DSS 3.7.4 asks for keys changed at the end of their cryptoperiod, shown by version history and logs, not by a policy alone.",
        remediation: `Rotate the ${kind} now (kvguard rotate VAULT/NAME) and give it a rotation policy so it does not fall behind again.`,
        severity: "high",
        controls: [PCI["3.7.4"], NIST_CRYPTOPERIODS, MCSB["DP-6"], ISO["A.8.24"]],
        parameters: { cryptoperiodDays: config.cryptoperiodDays },
      },
      enabledOnly: true,
      evaluate(facts, { nowMs }) {
        const period = cryptoperiod(facts, config);
        const newest = facts.versionTimes.at(-1);
        const { summary, evidence } = rotationEvidence(facts);
        if (newest === undefined) return { outcome: "error", reason: "its versions could not be listed", evidence };
        const ageDays = days(nowMs - newest);
        const full = { ...evidence, newestVersionCreated: new Date(newest).toISOString(), ageDays, cryptoperiodDays: period.days, cryptoperiodSource: period.source };
        const within = nowMs - newest <= period.days * DAY_MS;
        const what =
          facts.versionTimes.length === 1 ? `created ${isoDay(newest)} (${ageDays} days ago), never rotated` : `newest of ${facts.versionTimes.length} versions made ${isoDay(newest)} (${ageDays} days ago)`;
        const reason = `${what}; cryptoperiod ${period.days} days (${period.source}); ${summary.join("; ")}`;
        return { outcome: within ? "pass" : "fail", reason, evidence: full };
      },
    },
  ];
  if (kind === "key") {
    checks.push({
      definition: {
        id: "key-rotation-policy",
        title: `Keys have a rotation policy that rotates within ${config.cryptoperiodDays} days`,
        scope: "key",
        rationale: "Key Vault rotates a key itself when its rotation policy has a Rotate action; without one, a key ages until someone acts.",
        remediation: "Set a rotation policy with a Rotate action (timeAfterCreate P…D, or timeBeforeExpiry with expiresIn), or tag the key for kvguard's keyvault-key rotator.",
        severity: "medium",
        controls: [
          policy("d8cf8476-a2ec-4916-896e-992351803c44", "Keys should have a rotation policy ensuring that their rotation is scheduled within the specified number of days after creation."),
          ...cis("Ensure Automatic Key Rotation is Enabled within Azure Key Vault for the Supported Services", "8.8", "8.8", "3.3.8", "9.3.9", "8.3.9", "8.3.9"),
          MCSB["DP-6"],
          PCI["3.7.4"],
          NIST_CRYPTOPERIODS,
          ISO["A.8.24"],
        ],
        parameters: { maximumDaysToRotate: config.cryptoperiodDays },
      },
      enabledOnly: true,
      evaluate({ rotationPolicy }) {
        const rotate = rotationPolicy?.rotate ?? [];
        const evidence = { rotationPolicy: rotationPolicy ?? null };
        if (rotate.length === 0) return { outcome: "fail", reason: rotationPolicy ? "its rotation policy has no Rotate action" : "no rotation policy", evidence };
        const scheduled = rotate.map((r) =>
          r.afterCreateDays !== undefined ? r.afterCreateDays : rotationPolicy?.expiresInDays !== undefined && r.beforeExpiryDays !== undefined ? rotationPolicy.expiresInDays - r.beforeExpiryDays : undefined,
        );
        const known = scheduled.filter((d) => d !== undefined);
        if (known.length === 0) return { outcome: "fail", reason: "its Rotate action is relative to an expiry the policy does not set", evidence };
        const soonest = Math.min(...known);
        return soonest <= config.cryptoperiodDays
          ? { outcome: "pass", reason: `rotates ${soonest} days after creation`, evidence: { ...evidence, daysToRotate: soonest } }
          : { outcome: "fail", reason: `rotates ${soonest} days after creation; the limit is ${config.cryptoperiodDays}`, evidence: { ...evidence, daysToRotate: soonest } };
      },
    });
  }
  return checks;
}
