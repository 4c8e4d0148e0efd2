/** @module Check vault-purge-protection: Vaults have purge protection enabled. */
import type { VaultCheck } from "../check.js";
import { cis, MCSB, policy } from "../controls.js";

export const check = (): VaultCheck => ({
  definition: {
    id: "vault-purge-protection",
    title: "Vaults have purge protection enabled",
    scope: "vault",
    rationale: "Purge protection keeps soft-deleted material recoverable for its whole retention, even against an insider or a stolen admin credential.",
    remediation: "Enable purge protection on the vault (irreversible).",
    severity: "high",
    controls: [
      policy("0b60c0b2-2dc2-4e1c-b5c9-abbed971de53", "Key vaults should have deletion protection enabled"),
      ...cis("Ensure the Key Vault is Recoverable", "8.5", "8.5", "3.3.5", "9.3.5", "8.3.5", "8.3.5"),
      MCSB["DP-8"],
    ],
    parameters: {},
  },
  needs: ["softDeleteEnabled"],
  evaluate: (v) => {
    const evidence = { enablePurgeProtection: v.purgeProtectionEnabled ?? false, enableSoftDelete: v.softDeleteEnabled };
    if (v.purgeProtectionEnabled && v.softDeleteEnabled) return { outcome: "pass", reason: "purge protection and soft delete on", evidence };
    return { outcome: "fail", reason: v.purgeProtectionEnabled ? "purge protection on, but soft delete off" : "purge protection is off", evidence };
  },
});
