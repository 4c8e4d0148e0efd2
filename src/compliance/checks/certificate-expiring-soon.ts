/** @module Check certificate-expiring-soon: Certificates have more than N days before expiration. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import { days, isoDay, type ObjectCheck } from "../check.js";
import { MCSB, policy } from "../controls.js";

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
  evaluate({ item }, { nowMs }) {
    const renewsItself = item.certificate?.renewsItself ?? false;
    if (!item.expiresOn) return { outcome: "not-applicable", reason: "not issued yet (no expiration date)", evidence: { expiresOn: null } };
    const left = days(Date.parse(item.expiresOn) - nowMs);
    const evidence = { expiresOn: item.expiresOn, daysLeft: left, renewsItself };
    if (left < 0) return { outcome: "fail", reason: `expired ${isoDay(item.expiresOn)}, ${-left} days ago`, evidence };
    return left >= config.expiryWarningDays
      ? { outcome: "pass", reason: `expires ${isoDay(item.expiresOn)}, in ${left} days`, evidence }
      : { outcome: "fail", reason: `expires ${isoDay(item.expiresOn)}, in ${left} days; the limit is ${config.expiryWarningDays}${renewsItself ? " (Key Vault renews it by itself)" : ""}`, evidence };
  },
});
