/** @module Check key-rotated-within-cryptoperiod: Keys were rotated within their cryptoperiod. */
import { DAY_MS } from "../../common/duration.js";
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import { days, isoDay, type ObjectCheck } from "../check.js";
import { ISO, MCSB, NIST_CRYPTOPERIODS, PCI } from "../controls.js";
import { cryptoperiod, rotationEvidence } from "../cryptoperiod.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "key-rotated-within-cryptoperiod",
    title: "Keys were rotated within their cryptoperiod",
    scope: "key",
    rationale: "PCI DSS 3.7.4 asks for keys changed at the end of their cryptoperiod, shown by version history and logs, not by a policy alone.",
    remediation: "Rotate the key now (kvguard rotate VAULT/NAME) and give it a rotation policy so it does not fall behind again.",
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
});
