/** @module Check vault-soft-delete: Vaults have soft delete enabled. */
import type { VaultCheck } from "../check.js";
import { cis, MCSB, policy } from "../controls.js";

export const check = (): VaultCheck => ({
  definition: {
    id: "vault-soft-delete",
    title: "Vaults have soft delete enabled",
    scope: "vault",
    rationale: "Without soft delete, a deleted vault, key or secret is gone at once, with whatever it protected.",
    remediation: "Enable soft delete on the vault (it cannot be turned off again).",
    severity: "high",
    controls: [
      policy("1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d", "Key vaults should have soft delete enabled"),
      ...cis("Ensure the Key Vault is Recoverable", "8.5", "8.5", "3.3.5", "9.3.5", "8.3.5", "8.3.5"),
      MCSB["DP-8"],
    ],
    parameters: {},
  },
  needs: ["softDeleteEnabled"],
  evaluate: (v) => {
    const evidence = { enableSoftDelete: v.softDeleteEnabled, softDeleteRetentionInDays: v.softDeleteRetentionDays ?? null };
    return v.softDeleteEnabled
      ? { outcome: "pass", reason: `soft delete on, ${v.softDeleteRetentionDays ?? "?"} days of retention`, evidence }
      : { outcome: "fail", reason: "soft delete is off", evidence };
  },
});
