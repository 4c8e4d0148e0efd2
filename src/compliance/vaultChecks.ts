/**
 * @module Vault checks from the management plane: soft delete, purge protection, the RBAC permission model,
 * public network access, the firewall, private endpoints, a diagnostic setting sending AuditEvent, and who
 * holds data-plane access (role assignments and access policies), with the fewest custodians.
 */
import type { ComplianceConfig } from "../config/complianceSettings.js";
import type { VaultCheck } from "./check.js";
import { cis, ISO, MCSB, PCI, policy } from "./controls.js";
import { isCustodianRole } from "./roles.js";

const RECOVERABLE_CIS = cis("Ensure the Key Vault is Recoverable", "8.5", "8.5", "3.3.5", "9.3.5", "8.3.5", "8.3.5");

export function vaultChecks(config: ComplianceConfig): VaultCheck[] {
  return [
    {
      definition: {
        id: "vault-soft-delete",
        title: "Vaults have soft delete enabled",
        scope: "vault",
        rationale: "Without soft delete, a deleted vault, key or secret is gone at once, with whatever it protected.",
        remediation: "Enable soft delete on the vault (it cannot be turned off again).",
        severity: "high",
        controls: [policy("1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d", "Key vaults should have soft delete enabled"), ...RECOVERABLE_CIS, MCSB["DP-8"]],
        parameters: {},
      },
      needs: ["softDeleteEnabled"],
      evaluate: (v) => {
        const evidence = { enableSoftDelete: v.softDeleteEnabled, softDeleteRetentionInDays: v.softDeleteRetentionDays ?? null };
        return v.softDeleteEnabled
          ? { outcome: "pass", reason: `soft delete on, ${v.softDeleteRetentionDays ?? "?"} days of retention`, evidence }
          : { outcome: "fail", reason: "soft delete is off", evidence };
      },
    },
    {
      definition: {
        id: "vault-purge-protection",
        title: "Vaults have purge protection enabled",
        scope: "vault",
        rationale: "Purge protection keeps soft-deleted material recoverable for its whole retention, even against an insider or a stolen admin credential.",
        remediation: "Enable purge protection on the vault (irreversible).",
        severity: "high",
        controls: [policy("0b60c0b2-2dc2-4e1c-b5c9-abbed971de53", "Key vaults should have deletion protection enabled"), ...RECOVERABLE_CIS, MCSB["DP-8"]],
        parameters: {},
      },
      needs: ["softDeleteEnabled"],
      evaluate: (v) => {
        const evidence = { enablePurgeProtection: v.purgeProtectionEnabled ?? false, enableSoftDelete: v.softDeleteEnabled };
        if (v.purgeProtectionEnabled && v.softDeleteEnabled) return { outcome: "pass", reason: "purge protection and soft delete on", evidence };
        return { outcome: "fail", reason: v.purgeProtectionEnabled ? "purge protection on, but soft delete off" : "purge protection is off", evidence };
      },
    },
    {
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
    },
    {
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
    },
    {
      definition: {
        id: "vault-firewall",
        title: "Vaults have the firewall enabled or public network access disabled",
        scope: "vault",
        rationale: "A firewall whose default action is Deny admits only the networks listed.",
        remediation: "Set networkAcls.defaultAction to Deny and list the allowed addresses and subnets, or disable public network access.",
        severity: "medium",
        controls: [policy("55615ac9-af46-4a59-874e-391cc3dfb490", "Azure Key Vault should have firewall enabled or public network access disabled"), MCSB["DP-8"], PCI["1.4.4"]],
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
    },
    {
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
    },
    {
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
    },
    {
      definition: {
        id: "vault-data-access",
        title: `At most ${config.maxCustodians} principals manage a vault's keys and secrets`,
        scope: "vault",
        rationale: "Custodians of key material are kept to the fewest necessary (PCI DSS 3.6.1); the evidence lists everyone with data-plane access for the access review.",
        remediation: "Remove administrator and officer roles (or writing access policies) from principals that do not need them; grant User roles for reading.",
        severity: "medium",
        controls: [MCSB["PA-7"], MCSB["DP-8"], PCI["3.6.1"], PCI["7.2.4"], ISO["A.8.24"]],
        parameters: { maximumCustodians: config.maxCustodians },
      },
      needs: ["access"],
      evaluate: (v) => {
        const access = v.access ?? [];
        const custodians = [...new Set(access.filter((a) => isCustodianRole(a.role)).map((a) => a.principalId))];
        const evidence = { access, custodians };
        const who = `${access.length} data-plane grant(s), ${custodians.length} custodian(s)`;
        return custodians.length <= config.maxCustodians
          ? { outcome: "pass", reason: who, evidence }
          : { outcome: "fail", reason: `${who}; the limit is ${config.maxCustodians}`, evidence };
      },
    },
  ];
}
