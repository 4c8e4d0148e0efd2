/**
 * @module Key strength checks: allowed key types, RSA size, EC curve, HSM backing (Azure Policy's defaults
 * for the allowed lists: every type Key Vault makes, and the four curves).
 */
import type { ComplianceConfig } from "../config/complianceSettings.js";
import type { ObjectCheck } from "./check.js";
import { cis, ISO, MCSB, PCI, policy } from "./controls.js";

export const ALLOWED_KEY_TYPES = ["RSA", "RSA-HSM", "EC", "EC-HSM"];
export const ALLOWED_EC_NAMES = ["P-256", "P-256K", "P-384", "P-521"];

export function keyStrengthChecks(config: ComplianceConfig): ObjectCheck[] {
  return [
    {
      definition: {
        id: "key-allowed-type",
        title: "Keys are of an allowed cryptographic type",
        scope: "key",
        rationale: "Only key types the organisation has approved should protect its data.",
        remediation: "Create a key of an allowed type and move its users to it.",
        severity: "medium",
        controls: [policy("75c4f823-d65c-4f29-a733-01d0077fdbcb", "Keys should be the specified cryptographic type RSA or EC"), MCSB["DP-6"], PCI["3.6.1.1"], ISO["A.8.24"]],
        parameters: { allowedKeyTypes: ALLOWED_KEY_TYPES },
      },
      enabledOnly: true,
      evaluate: ({ item }) =>
        item.keyType && ALLOWED_KEY_TYPES.includes(item.keyType)
          ? { outcome: "pass", reason: `type ${item.keyType}`, evidence: { keyType: item.keyType } }
          : { outcome: "fail", reason: `type ${item.keyType ?? "unknown"} is not in ${ALLOWED_KEY_TYPES.join(", ")}`, evidence: { keyType: item.keyType ?? null } },
    },
    {
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
    },
    {
      definition: {
        id: "key-ec-curve",
        title: "Elliptic-curve keys use an allowed curve",
        scope: "key",
        rationale: "Only curves the organisation has approved should be used.",
        remediation: "Create a key on an allowed curve and move its users to it.",
        severity: "medium",
        controls: [policy("ff25f3c8-b739-4538-9d07-3d6d25cfb255", "Keys using elliptic curve cryptography should have the specified curve names"), MCSB["DP-6"], PCI["3.6.1.1"], ISO["A.8.24"]],
        parameters: { allowedECNames: ALLOWED_EC_NAMES },
      },
      enabledOnly: true,
      evaluate({ item }) {
        if (!item.keyType?.startsWith("EC")) return { outcome: "not-applicable", reason: `not an EC key (${item.keyType ?? "unknown"})`, evidence: { keyType: item.keyType ?? null } };
        const evidence = { keyType: item.keyType, curve: item.curve ?? null };
        return item.curve && ALLOWED_EC_NAMES.includes(item.curve)
          ? { outcome: "pass", reason: `curve ${item.curve}`, evidence }
          : { outcome: "fail", reason: `curve ${item.curve ?? "unknown"} is not in ${ALLOWED_EC_NAMES.join(", ")}`, evidence };
      },
    },
    {
      definition: {
        id: "key-hsm-backed",
        title: "Keys are backed by a hardware security module",
        scope: "key",
        rationale: "HSM-backed keys never leave the HSM boundary (FIPS 140 level 2 or 3) where software keys are protected at level 1.",
        remediation: "Use a Premium vault (or Managed HSM) and create RSA-HSM or EC-HSM keys for data that requires it.",
        severity: "low",
        controls: [
          policy("587c79fe-dd04-4a5e-9d0b-f89598c7261b", "Keys should be backed by a hardware security module (HSM)"),
          ...cis("Ensure that Azure Key Vault Managed HSM is used when required", undefined, undefined, undefined, "9.3.10", "8.3.10", "8.3.10"),
          MCSB["DP-8"],
          ISO["A.8.24"],
        ],
        parameters: {},
      },
      enabledOnly: true,
      evaluate: ({ item }) =>
        item.keyType?.endsWith("-HSM")
          ? { outcome: "pass", reason: `type ${item.keyType}`, evidence: { keyType: item.keyType } }
          : { outcome: "fail", reason: `type ${item.keyType ?? "unknown"} is software-protected`, evidence: { keyType: item.keyType ?? null } },
    },
  ];
}
