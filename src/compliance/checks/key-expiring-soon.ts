/** @module Check key-expiring-soon: Keys have more than N days before expiration. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { MCSB, PCI, policy } from "../controls.js";
import { expiringSoon } from "../objectRules.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "key-expiring-soon",
    title: `Keys have more than ${config.expiryWarningDays} days before expiration`,
    scope: "key",
    rationale: "A key close to expiry breaks its consumers when it lapses unless it is rotated first.",
    remediation: "Rotate the key (kvguard rotate VAULT/NAME) or extend its expiry after review.",
    severity: "medium",
    controls: [
      policy("5ff38825-c5d8-47c5-b70e-069a21955146", "Keys should have more than the specified number of days before expiration"),
      MCSB["DP-6"],
      PCI["3.7.4"],
    ],
    parameters: { minimumDaysBeforeExpiration: config.expiryWarningDays },
  },
  enabledOnly: true,
  evaluate: expiringSoon(config.expiryWarningDays),
});
