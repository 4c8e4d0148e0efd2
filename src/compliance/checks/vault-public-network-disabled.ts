/** @module Check vault-public-network-disabled: Vaults disable public network access. */
import type { VaultCheck } from "../check.js";
import { cis, MCSB, PCI, policy } from "../controls.js";

export const check = (): VaultCheck => ({
  definition: {
    id: "vault-public-network-disabled",
    title: "Vaults disable public network access",
    scope: "vault",
    rationale: "A vault reachable from the internet is one leaked token away from anyone.",
    remediation: "Reach the vault through a private endpoint and set publicNetworkAccess to Disabled.",
    severity: "medium",
    controls: [
      policy("405c5871-3e91-4644-8a63-58e19d68ff5b", "Azure Key Vault should disable public network access"),
      ...cis("Disable public network access when using private endpoint", undefined, undefined, undefined, "9.3.7", "8.3.7", "8.3.7"),
      MCSB["DP-8"],
      PCI["1.4.4"],
    ],
    parameters: {},
  },
  needs: ["publicNetworkAccess"],
  evaluate: (v) =>
    v.publicNetworkAccess?.toLowerCase() === "disabled"
      ? { outcome: "pass", reason: "public network access disabled", evidence: { publicNetworkAccess: v.publicNetworkAccess } }
      : { outcome: "fail", reason: `public network access ${v.publicNetworkAccess}`, evidence: { publicNetworkAccess: v.publicNetworkAccess } },
});
