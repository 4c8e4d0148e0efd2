/** @module Check key-rsa-min-size: RSA keys are at least N bits. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, PCI, policy } from "../controls.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "key-rsa-min-size",
    title: `RSA keys are at least ${config.minRsaKeySize} bits`,
    scope: "key",
    rationale: "Short RSA keys fall to factoring sooner; key strength is part of the PCI DSS key inventory.",
    remediation: "Create a longer RSA key (or rotate with a larger key_size) and move its users to it.",
    severity: "high",
    controls: [policy("82067dbb-e53b-4e06-b631-546d197452d9", "Keys using RSA cryptography should have a specified minimum key size"), MCSB["DP-6"], PCI["3.6.1.1"], ISO["A.8.24"]],
    parameters: { minimumRSAKeySize: config.minRsaKeySize },
  },
  enabledOnly: true,
  evaluate({ item }) {
    if (!item.keyType?.startsWith("RSA")) return { outcome: "not-applicable", reason: `not an RSA key (${item.keyType ?? "unknown"})`, evidence: { keyType: item.keyType ?? null } };
    const evidence = { keyType: item.keyType, keySize: item.keySize ?? null };
    if (item.keySize === undefined) return { outcome: "error", reason: "its size could not be read", evidence };
    return item.keySize >= config.minRsaKeySize
      ? { outcome: "pass", reason: `RSA ${item.keySize} bits`, evidence }
      : { outcome: "fail", reason: `RSA ${item.keySize} bits; the minimum is ${config.minRsaKeySize}`, evidence };
  },
});
