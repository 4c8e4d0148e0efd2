/** @module Check secret-expiry-set: Secrets have an expiration date. */
import type { ObjectCheck } from "../check.js";
import { cis, ISO, MCSB, NIST_CRYPTOPERIODS, PCI, policy } from "../controls.js";
import { expirySet } from "../objectRules.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "secret-expiry-set",
    title: "Secrets have an expiration date",
    scope: "secret",
    rationale: "A secret without an expiry can be used forever; an expiry forces a change within its cryptoperiod and lets Key Vault warn before it.",
    remediation: "Set an expiry (exp) on the secret's current version, or let kvguard rotate it with ValidityPeriodDays.",
    severity: "high",
    controls: [
      policy("98728c90-32c7-4049-8429-847dc0f4fe37", "Key Vault secrets should have an expiration date"),
      ...cis("Ensure that the Expiration Date is set for all Secrets in RBAC Key Vaults", "8.3", "8.3", "3.3.3", "9.3.3", "8.3.3", "8.3.3"),
      ...cis("Ensure that the Expiration Date is set for all Secrets in Non-RBAC Key Vaults", "8.4", "8.4", "3.3.4", "9.3.4", "8.3.4", "8.3.4"),
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
