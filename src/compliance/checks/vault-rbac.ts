/** @module Check vault-rbac: Vaults use the Azure RBAC permission model. */
import type { VaultCheck } from "../check.js";
import { cis, MCSB, PCI, policy } from "../controls.js";

export const check = (): VaultCheck => ({
  definition: {
    id: "vault-rbac",
    title: "Vaults use the Azure RBAC permission model",
    scope: "vault",
    rationale: "Azure RBAC gives per-object scopes, PIM and one audit trail; access policies are all-or-nothing per vault.",
    remediation: "Assign Key Vault data roles to the vault's users, then set enableRbacAuthorization to true.",
    severity: "high",
    controls: [
      policy("12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5", "Azure Key Vault should use RBAC permission model"),
      ...cis("Enable Role Based Access Control for Azure Key Vault", "8.6", "8.6", "3.3.6", "9.3.6", "8.3.6", "8.3.6"),
      MCSB["PA-7"],
      PCI["7.2.4"],
    ],
    parameters: {},
  },
  needs: ["rbacAuthorization"],
  evaluate: (v) =>
    v.rbacAuthorization
      ? { outcome: "pass", reason: "Azure RBAC permission model", evidence: { enableRbacAuthorization: true } }
      : { outcome: "fail", reason: "access policies permission model", evidence: { enableRbacAuthorization: false } },
});
