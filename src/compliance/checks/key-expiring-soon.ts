/** @module Check key-expiring-soon: Keys have more than N days before expiration. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import { days, isoDay, type ObjectCheck } from "../check.js";
import { MCSB, PCI, policy } from "../controls.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "key-expiring-soon",
    title: `Keys have more than ${config.expiryWarningDays} days before expiration`,
    scope: "key",
    rationale: "A key close to expiry breaks its consumers when it lapses unless it is rotated first.",
    remediation: "Rotate the key (kvguard rotate VAULT/NAME) or extend its expiry after review.",
    severity: "medium",
    controls: [policy("5ff38825-c5d8-47c5-b70e-069a21955146", "Keys should have more than the specified number of days before expiration"), MCSB["DP-6"], PCI["3.7.4"]],
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
