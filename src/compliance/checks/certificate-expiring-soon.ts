/** @module Check certificate-expiring-soon: Certificates have more than N days before expiration. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { MCSB, policy } from "../controls.js";
import { expiringSoon } from "../objectRules.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "certificate-expiring-soon",
    title: `Certificates have more than ${config.expiryWarningDays} days before expiration`,
    scope: "certificate",
    rationale: "An expiring certificate takes its service down unless it is renewed first.",
    remediation: "Renew the certificate (a new version from its policy, or merge one signed by its CA), and give its policy an AutoRenew action.",
    severity: "high",
    controls: [policy("f772fb64-8e40-40ad-87bc-7706e1949427", "Certificates should not expire within the specified number of days"), MCSB["DP-7"]],
    parameters: { daysToExpire: config.expiryWarningDays },
  },
  enabledOnly: true,
  evaluate: expiringSoon(config.expiryWarningDays),
});
