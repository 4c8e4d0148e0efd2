/** @module Check vault-audit-logging: Vaults send AuditEvent logs through a diagnostic setting. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { VaultCheck } from "../check.js";
import { cis, ISO, MCSB, PCI, policy } from "../controls.js";

export const check = (config: ComplianceConfig): VaultCheck => ({
  definition: {
    id: "vault-audit-logging",
    title: "Vaults send AuditEvent logs through a diagnostic setting",
    scope: "vault",
    rationale: "Without AuditEvent logs there is no record of who read or changed keys and secrets, and kvguard's audit has nothing to read.",
    remediation: "Add a diagnostic setting with the AuditEvent category (or the audit category group) to a Log Analytics workspace or storage account.",
    severity: "high",
    controls: [
      policy("cf820ca0-f99e-4f3e-84fb-66e913812d21", "Resource logs in Key Vault should be enabled"),
      ...cis("Ensure that logging for Azure Key Vault is 'Enabled'", "5.1.5", "5.1.4", "6.1.4", "7.1.1.4", "6.1.1.4", "6.1.1.4"),
      MCSB["LT-3"],
      MCSB["DP-8"],
      PCI["10.2.1"],
      ISO["A.8.15"],
    ],
    parameters: { requiredRetentionDays: config.logRetentionDays },
  },
  needs: ["auditDiagnostics"],
  evaluate: (v) => {
    const settings = v.auditDiagnostics ?? [];
    const evidence = { auditDiagnostics: settings };
    return settings.length > 0
      ? { outcome: "pass", reason: `AuditEvent sent by ${settings.map((s) => s.name).join(", ")}`, evidence }
      : { outcome: "fail", reason: "no diagnostic setting sends AuditEvent (with the retention required)", evidence };
  },
});
