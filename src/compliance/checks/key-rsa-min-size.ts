/** @module Check key-rsa-min-size: RSA keys are at least N bits. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, PCI, policy } from "../controls.js";
import { rsaMinSize } from "../objectRules.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "key-rsa-min-size",
    title: `RSA keys are at least ${config.minRsaKeySize} bits`,
    scope: "key",
    rationale: "Short RSA keys fall to factoring sooner; key strength is part of the PCI DSS key inventory.",
    remediation: "Create a longer RSA key (or rotate with a larger key_size) and move its users to it.",
    severity: "high",
    controls: [
      policy("82067dbb-e53b-4e06-b631-546d197452d9", "Keys using RSA cryptography should have a specified minimum key size"),
      MCSB["DP-6"],
      PCI["3.6.1.1"],
      ISO["A.8.24"],
    ],
    parameters: { minimumRSAKeySize: config.minRsaKeySize },
  },
  enabledOnly: true,
  evaluate: rsaMinSize(config.minRsaKeySize),
});
