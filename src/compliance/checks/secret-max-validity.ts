/** @module Check secret-max-validity: Secrets are valid for at most N days. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, NIST_CRYPTOPERIODS, policy } from "../controls.js";
import { maxValidity } from "../objectRules.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "secret-max-validity",
    title: `Secrets are valid for at most ${config.maxValidityDays} days`,
    scope: "secret",
    rationale: "The longer a credential is valid, the longer a leaked copy works; NIST SP 800-57 suggests about two years at most.",
    remediation: "Give new versions a shorter expiry (ValidityPeriodDays) and rotate the secret.",
    severity: "medium",
    controls: [
      policy("342e8053-e12e-4c44-be01-c3c2f318400f", "Secrets should have the specified maximum validity period"),
      MCSB["DP-6"],
      NIST_CRYPTOPERIODS,
      ISO["A.8.24"],
    ],
    parameters: { maximumValidityInDays: config.maxValidityDays },
  },
  enabledOnly: true,
  evaluate: maxValidity(config.maxValidityDays),
});
