/** @module Check certificate-rsa-min-size: Certificates' RSA keys are at least N bits. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { MCSB, policy } from "../controls.js";
import { rsaMinSize } from "../objectRules.js";

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
  evaluate: rsaMinSize(config.minRsaKeySize),
});
