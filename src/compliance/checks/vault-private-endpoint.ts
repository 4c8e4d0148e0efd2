/** @module Check vault-private-endpoint: Vaults use a private endpoint. */
import type { VaultCheck } from "../check.js";
import { cis, MCSB, policy } from "../controls.js";

export const check = (): VaultCheck => ({
  definition: {
    id: "vault-private-endpoint",
    title: "Vaults use a private endpoint",
    scope: "vault",
    rationale: "A private endpoint keeps the vault's traffic on the organisation's network.",
    remediation: "Create a private endpoint for the vault and approve its connection.",
    severity: "medium",
    controls: [
      policy("a6abeaec-4d90-4a02-805f-6b26c4d3fbe9", "Azure Key Vaults should use private link"),
      ...cis("Ensure that Private Endpoints are Used for Azure Key Vault", "8.7", "8.7", "3.3.7", "9.3.8", "8.3.8", "8.3.8"),
      MCSB["DP-8"],
    ],
    parameters: {},
  },
  needs: ["privateEndpoints"],
  evaluate: (v) =>
    (v.privateEndpoints ?? 0) > 0
      ? { outcome: "pass", reason: `${v.privateEndpoints} approved private endpoint connection(s)`, evidence: { approvedPrivateEndpoints: v.privateEndpoints } }
      : { outcome: "fail", reason: "no approved private endpoint connection", evidence: { approvedPrivateEndpoints: 0 } },
});
