/** @module Check secret-expiring-soon: Secrets have more than N days before expiration. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import { days, isoDay, type ObjectCheck } from "../check.js";
import { MCSB, PCI, policy } from "../controls.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "secret-expiring-soon",
    title: `Secrets have more than ${config.expiryWarningDays} days before expiration`,
    scope: "secret",
    rationale: "A secret close to expiry breaks its consumers when it lapses unless it is rotated first.",
    remediation: "Rotate the secret (kvguard rotate VAULT/NAME) or extend its expiry after review.",
    severity: "medium",
    controls: [policy("b0eb591a-5e70-4534-a8bf-04b9c489584a", "Secrets should have more than the specified number of days before expiration"), MCSB["DP-6"], PCI["3.7.4"]],
    parameters: { minimumDaysBeforeExpiration: config.expiryWarningDays },
  },
  enabledOnly: true,
  evaluate({ item }, { nowMs }) {
    if (!item.expiresOn) return { outcome: "not-applicable", reason: "no expiration date (see the expiry-set check)", evidence: { expiresOn: null } };
    const left = days(Date.parse(item.expiresOn) - nowMs);
    const evidence = { expiresOn: item.expiresOn, daysLeft: left };
    if (left < 0) return { outcome: "fail", reason: `expired ${isoDay(item.expiresOn)}, ${-left} days ago`, evidence };
    return left >= config.expiryWarningDays
      ? { outcome: "pass", reason: `expires ${isoDay(item.expiresOn)}, in ${left} days`, evidence }
      : { outcome: "fail", reason: `expires ${isoDay(item.expiresOn)}, in ${left} days; the limit is ${config.expiryWarningDays}`, evidence };
  },
});
