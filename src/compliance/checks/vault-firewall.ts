/** @module Check vault-firewall: Vaults have the firewall enabled or public network access disabled. */
import type { VaultCheck } from "../check.js";
import { MCSB, PCI, policy } from "../controls.js";

export const check = (): VaultCheck => ({
  definition: {
    id: "vault-firewall",
    title: "Vaults have the firewall enabled or public network access disabled",
    scope: "vault",
    rationale: "A firewall whose default action is Deny admits only the networks listed.",
    remediation: "Set networkAcls.defaultAction to Deny and list the allowed addresses and subnets, or disable public network access.",
    severity: "medium",
    controls: [
      policy("55615ac9-af46-4a59-874e-391cc3dfb490", "Azure Key Vault should have firewall enabled or public network access disabled"),
      MCSB["DP-8"],
      PCI["1.4.4"],
    ],
    parameters: { restrictIPAddresses: "No", allowedIPAddresses: [], forbiddenIPAddresses: [] },
  },
  needs: ["publicNetworkAccess", "firewallDefaultAction"],
  evaluate: (v) => {
    const evidence = { publicNetworkAccess: v.publicNetworkAccess, networkAclsDefaultAction: v.firewallDefaultAction };
    if (v.publicNetworkAccess?.toLowerCase() === "disabled") return { outcome: "pass", reason: "public network access disabled", evidence };
    return v.firewallDefaultAction === "Deny"
      ? { outcome: "pass", reason: "firewall default action Deny", evidence }
      : { outcome: "fail", reason: `firewall default action ${v.firewallDefaultAction} with public network access enabled`, evidence };
  },
});
