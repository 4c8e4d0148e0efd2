/** @module Check certificate-rsa-min-size: Certificates' RSA keys are at least N bits. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { MCSB, policy } from "../controls.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "certificate-rsa-min-size",
    title: `Certificates' RSA keys are at least ${config.minRsaKeySize} bits`,
    scope: "certificate",
    rationale: "Short RSA keys fall to factoring sooner.",
    remediation: "Set a larger keySize in the certificate policy and renew the certificate with a new key.",
    severity: "high",
    controls: [policy("cee51871-e572-4576-855c-047c820360f0", "Certificates using RSA cryptography should have the specified minimum key size"), MCSB["DP-7"]],
    parameters: { minimumRSAKeySize: config.minRsaKeySize },
  },
  enabledOnly: true,
  evaluate({ item }) {
    if (!item.keyType?.startsWith("RSA")) return { outcome: "not-applicable", reason: `not an RSA key (${item.keyType ?? "unknown"})`, evidence: { keyType: item.keyType ?? null } };
    const evidence = { keyType: item.keyType, keySize: item.keySize ?? null };
    if (item.keySize === undefined) return { outcome: "error", reason: "its key size could not be read", evidence };
    return item.keySize >= config.minRsaKeySize
      ? { outcome: "pass", reason: `RSA ${item.keySize} bits`, evidence }
      : { outcome: "fail", reason: `RSA ${item.keySize} bits; the minimum is ${config.minRsaKeySize}`, evidence };
  },
});
