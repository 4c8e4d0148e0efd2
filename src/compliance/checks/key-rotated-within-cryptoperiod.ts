/** @module Check key-rotated-within-cryptoperiod: Keys were rotated within their cryptoperiod. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, NIST_CRYPTOPERIODS, PCI } from "../controls.js";
import { rotatedWithinCryptoperiod } from "../objectRules.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "key-rotated-within-cryptoperiod",
    title: "Keys were rotated within their cryptoperiod",
    scope: "key",
    rationale: "PCI DSS 3.7.4 asks for keys changed at the end of their cryptoperiod, shown by version history and logs, not by a policy alone.",
    remediation: "Rotate the key now (kvguard rotate VAULT/NAME) and give it a rotation policy so it does not fall behind again.",
    severity: "high",
    controls: [PCI["3.7.4"], NIST_CRYPTOPERIODS, MCSB["DP-6"], ISO["A.8.24"]],
    parameters: { cryptoperiodDays: config.cryptoperiodDays },
  },
  enabledOnly: true,
  evaluate: rotatedWithinCryptoperiod(config),
});
