/** @module Check certificate-max-validity: Certificates are valid for at most N months (their policy's validity). */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { cis, MCSB, policy } from "../controls.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "certificate-max-validity",
    title: `Certificates are valid for at most ${config.certMaxValidityMonths} months`,
    scope: "certificate",
    rationale: "Long-lived certificates stay trusted long after a key may have leaked.",
    remediation: "Set the certificate policy's validity (validityInMonths) to the limit or less, and renew the certificate.",
    severity: "medium",
    controls: [
      policy("0a075868-4c26-42ef-914c-5bc007359560", "Certificates should have the specified maximum validity period"),
      ...cis("Ensure certificate validity period is 12 months or less", undefined, undefined, undefined, undefined, "8.3.11", "8.3.11"),
      MCSB["DP-7"],
    ],
    parameters: { maximumValidityInMonths: config.certMaxValidityMonths },
  },
  enabledOnly: true,
  evaluate({ item }) {
    const months = item.certificate?.validityMonths;
    const evidence = { validityInMonths: months ?? null, notBefore: item.notBefore ?? null, expiresOn: item.expiresOn ?? null };
    if (months === undefined) return { outcome: "fail", reason: "its policy sets no validity period", evidence };
    return months <= config.certMaxValidityMonths
      ? { outcome: "pass", reason: `policy validity ${months} months`, evidence }
      : { outcome: "fail", reason: `policy validity ${months} months; the limit is ${config.certMaxValidityMonths}`, evidence };
  },
});
