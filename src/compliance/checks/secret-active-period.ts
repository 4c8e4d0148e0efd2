/** @module Check secret-active-period: Secrets are not active for longer than N days. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, NIST_CRYPTOPERIODS, policy } from "../controls.js";
import { activePeriod } from "../objectRules.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "secret-active-period",
    title: `Secrets are not active for longer than ${config.maxActiveDays} days`,
    scope: "secret",
    rationale: "A version in use for years outlives any sensible cryptoperiod.",
    remediation: "Rotate the secret: a new version starts a new active period.",
    severity: "medium",
    controls: [
      policy("e8d99835-8a06-45ae-a8e0-87a91941ccfe", "Secrets should not be active for longer than the specified number of days"),
      MCSB["DP-6"],
      NIST_CRYPTOPERIODS,
      ISO["A.8.24"],
    ],
    parameters: { maximumValidityInDays: config.maxActiveDays },
  },
  enabledOnly: true,
  evaluate: activePeriod(config.maxActiveDays),
});
