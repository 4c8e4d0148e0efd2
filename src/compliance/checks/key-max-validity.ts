/** @module Check key-max-validity: Keys are valid for at most N days. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, NIST_CRYPTOPERIODS, policy } from "../controls.js";
import { maxValidity } from "../objectRules.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "key-max-validity",
    title: `Keys are valid for at most ${config.maxValidityDays} days`,
    scope: "key",
    rationale: "The longer a credential is valid, the longer a leaked copy works; NIST SP 800-57 suggests about two years at most.",
    remediation: "Give new versions a shorter expiry (ValidityPeriodDays) and rotate the key.",
    severity: "medium",
    controls: [
      policy("49a22571-d204-4c91-a7b6-09b1a586fbc9", "Keys should have the specified maximum validity period"),
      MCSB["DP-6"],
      NIST_CRYPTOPERIODS,
      ISO["A.8.24"],
    ],
    parameters: { maximumValidityInDays: config.maxValidityDays },
  },
  enabledOnly: true,
  evaluate: maxValidity(config.maxValidityDays),
});
