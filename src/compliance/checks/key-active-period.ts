/** @module Check key-active-period: Keys are not active for longer than N days. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, NIST_CRYPTOPERIODS, policy } from "../controls.js";
import { activePeriod } from "../objectRules.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "key-active-period",
    title: `Keys are not active for longer than ${config.maxActiveDays} days`,
    scope: "key",
    rationale: "A version in use for years outlives any sensible cryptoperiod.",
    remediation: "Rotate the key: a new version starts a new active period.",
    severity: "medium",
    controls: [
      policy("c26e4b24-cf98-4c67-b48b-5a25c4c69eb9", "Keys should not be active for longer than the specified number of days"),
      MCSB["DP-6"],
      NIST_CRYPTOPERIODS,
      ISO["A.8.24"],
    ],
    parameters: { maximumValidityInDays: config.maxActiveDays },
  },
  enabledOnly: true,
  evaluate: activePeriod(config.maxActiveDays),
});
