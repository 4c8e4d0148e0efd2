/** @module Check secret-expiring-soon: Secrets have more than N days before expiration. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { MCSB, PCI, policy } from "../controls.js";
import { expiringSoon } from "../objectRules.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "secret-expiring-soon",
    title: `Secrets have more than ${config.expiryWarningDays} days before expiration`,
    scope: "secret",
    rationale: "A secret close to expiry breaks its consumers when it lapses unless it is rotated first.",
    remediation: "Rotate the secret (kvguard rotate VAULT/NAME) or extend its expiry after review.",
    severity: "medium",
    controls: [
      policy("b0eb591a-5e70-4534-a8bf-04b9c489584a", "Secrets should have more than the specified number of days before expiration"),
      MCSB["DP-6"],
      PCI["3.7.4"],
    ],
    parameters: { minimumDaysBeforeExpiration: config.expiryWarningDays },
  },
  enabledOnly: true,
  evaluate: expiringSoon(config.expiryWarningDays),
});
