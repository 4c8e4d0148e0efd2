/** @module Check key-expiry-set: Keys have an expiration date. */
import type { ObjectCheck } from "../check.js";
import { cis, ISO, MCSB, NIST_CRYPTOPERIODS, PCI, policy } from "../controls.js";
import { expirySet } from "../objectRules.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "key-expiry-set",
    title: "Keys have an expiration date",
    scope: "key",
    rationale: "A key without an expiry can be used forever; an expiry forces a change within its cryptoperiod and lets Key Vault warn before it.",
    remediation: "Set an expiry (exp) on the key's current version, or let kvguard rotate it with ValidityPeriodDays.",
    severity: "high",
    controls: [
      policy("152b15f7-8e1f-4c1f-ab71-8c010ba5dbc0", "Key Vault keys should have an expiration date"),
      ...cis("Ensure that the Expiration Date is set for all Keys in RBAC Key Vaults", "8.1", "8.1", "3.3.1", "9.3.1", "8.3.1", "8.3.1"),
      ...cis("Ensure that the Expiration Date is set for all Keys in Non-RBAC Key Vaults", "8.2", "8.2", "3.3.2", "9.3.2", "8.3.2", "8.3.2"),
      MCSB["DP-6"],
      PCI["3.6.1.1"],
      NIST_CRYPTOPERIODS,
      ISO["A.8.24"],
    ],
    parameters: {},
  },
  enabledOnly: true,
  evaluate: expirySet,
});
