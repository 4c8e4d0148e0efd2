/** @module Check certificate-renewal-action: Certificates have a lifetime action that triggers early enough. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { MCSB, policy } from "../controls.js";

const MAXIMUM_PERCENTAGE_LIFE = 80;

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "certificate-renewal-action",
    title: `Certificates have a lifetime action at least ${config.expiryWarningDays} days before expiry or by ${MAXIMUM_PERCENTAGE_LIFE}% of their life`,
    scope: "certificate",
    rationale: "A lifetime action renews a certificate (AutoRenew) or warns its contacts (EmailContacts) before it lapses, without a person remembering to.",
    remediation:
      "Add a lifetime action to the certificate policy: AutoRenew (or EmailContacts for a CA Key Vault cannot reach) at enough days before expiry or a percentage of its life.",
    severity: "medium",
    controls: [policy("12ef42cb-9903-4e39-9c26-422d29570417", "Certificates should have the specified lifetime action triggers"), MCSB["DP-7"]],
    parameters: { minimumDaysBeforeExpiry: config.expiryWarningDays, maximumPercentageLife: MAXIMUM_PERCENTAGE_LIFE },
  },
  enabledOnly: true,
  evaluate({ item }) {
    const actions = item.certificate?.lifetimeActions ?? [];
    const evidence = { lifetimeActions: actions, renewsItself: item.certificate?.renewsItself ?? false };
    const describe = (a: (typeof actions)[number]) =>
      `${a.action} ${a.daysBeforeExpiry !== undefined ? `${a.daysBeforeExpiry} days before expiry` : `at ${a.lifetimePercentage}% of life`}`;
    if (actions.length === 0) return { outcome: "fail", reason: "its policy has no lifetime action", evidence };
    const early = actions.find(
      (a) =>
        (a.daysBeforeExpiry !== undefined && a.daysBeforeExpiry >= config.expiryWarningDays) ||
        (a.lifetimePercentage !== undefined && a.lifetimePercentage <= MAXIMUM_PERCENTAGE_LIFE),
    );
    return early
      ? { outcome: "pass", reason: describe(early), evidence }
      : {
          outcome: "fail",
          reason: `${actions.map(describe).join(", ")}: later than ${config.expiryWarningDays} days before expiry or ${MAXIMUM_PERCENTAGE_LIFE}% of life`,
          evidence,
        };
  },
});
