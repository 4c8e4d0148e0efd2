/**
 * @module Detection row 15: a VaultPut/VaultPatch that weakens the vault against its last known settings
 * (from earlier Put/Patch/Get records): soft delete or purge protection off, shorter retention, network
 * opened, RBAC switched, template or deployment access enabled. Public rules only see "vault written".
 */
import { isSuccess } from "../record.js";
import { who } from "../finding.js";
import type { VaultConfig } from "../parse/fields.js";
import type { Detector } from "./detector.js";
import { VAULT_WRITES, WINDOW } from "./operations.js";

/** Each weakening as a test of (before, after); before is undefined when not known. */
const WEAKENINGS: { field: string; weakened: (before: unknown, after: unknown) => boolean }[] = [
  { field: "enableSoftDelete", weakened: (b, a) => a === false && b !== false },
  { field: "enablePurgeProtection", weakened: (b, a) => a === false && b === true },
  { field: "softDeleteRetentionInDays", weakened: (b, a) => typeof a === "number" && typeof b === "number" && a < b },
  { field: "networkDefaultAction", weakened: (b, a) => a === "Allow" && b === "Deny" },
  { field: "publicNetworkAccess", weakened: (b, a) => a === "Enabled" && b === "Disabled" },
  { field: "enableRbacAuthorization", weakened: (b, a) => typeof b === "boolean" && a !== b },
  { field: "enabledForTemplateDeployment", weakened: (b, a) => a === true && b === false },
  { field: "enabledForDeployment", weakened: (b, a) => a === true && b === false },
];

export const detector: Detector = {
  id: "defense_evasion_hardening_weakened",
  name: "Vault hardening weakened",
  tactic: "defense_evasion",
  severity: "high",
  description:
    "A vault write turns off soft delete or purge protection, shortens retention, opens the network, switches the permission model, or enables template/deployment access, compared with the vault's last known settings.",
  falsePositives: ["Planned migrations between access policies and RBAC", "Test vaults recreated by pipelines"],
  references: ["detection.md row 15"],
  thresholds: {},
  usesBaseline: false,
  seesBenign: true,
  create: () => ({
    step(r, ctx) {
      if (!r.vaultConfig || !isSuccess(r)) return;
      const state = ctx.baseline.vaults.get(r.vault.name) ?? { lastMs: r.timeMs };
      const before: VaultConfig = state.config ?? {};
      ctx.baseline.vaults.set(r.vault.name, { ...state, config: { ...before, ...r.vaultConfig } });
      if (ctx.benign || !VAULT_WRITES.has(r.operation)) return;
      const changes = WEAKENINGS.filter((w) => w.field in r.vaultConfig! && w.weakened(before[w.field], r.vaultConfig![w.field]));
      if (changes.length === 0) return;
      const described = changes.map((c) => `${c.field} ${JSON.stringify(before[c.field] ?? "unknown")} → ${JSON.stringify(r.vaultConfig![c.field])}`);
      ctx.emit({
        record: r,
        subject: `${r.vault.name}|${changes.map((c) => c.field).join(",")}`,
        windowMs: WINDOW.day,
        summary: `${who(r)} weakened vault ${r.vault.name}: ${described.join("; ")}`,
        baseline: { previousSettings: before },
      });
    },
  }),
};
