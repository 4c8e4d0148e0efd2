/**
 * @module Reads a vault's management-plane facts through ARM. Finding the vault: kvguard knows vaults by
 * URL, ARM by resource id, so each subscription in KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS is listed once
 * (`vaults.listBySubscription`, which shows only what the identity may read) and a vault is matched by its
 * `vaultUri`, else by name. Then its diagnostic settings (`arm-monitor`) and role assignments at its scope
 * (`arm-authorization`). What cannot be read is left out of the facts with the reason in `error`.
 */
import type { Vault } from "@azure/arm-keyvault";
import type { VaultTarget } from "../config/vaultUrl.js";
import type { ArmClients } from "./armClients.js";
import { errorMessage } from "./errors.js";
import type { VaultFacts } from "./model.js";
import { accessPolicyRole, isDataRole, roleName } from "./roles.js";

export interface SubscriptionVaults {
  subscriptionId: string;
  clients: ArmClients;
  vaults: Vault[];
  error?: string;
}

/** Lists every subscription's vaults once per run. */
export async function listSubscriptions(subscriptionIds: string[], clientsFor: (subscriptionId: string) => ArmClients): Promise<SubscriptionVaults[]> {
  return Promise.all(
    subscriptionIds.map(async (subscriptionId) => {
      const clients = clientsFor(subscriptionId);
      try {
        const vaults: Vault[] = [];
        for await (const vault of clients.keyVault.vaults.listBySubscription()) vaults.push(vault);
        return { subscriptionId, clients, vaults };
      } catch (error) {
        return { subscriptionId, clients, vaults: [], error: `listing the vaults of subscription ${subscriptionId}: ${errorMessage(error)}` };
      }
    }),
  );
}

const normalUrl = (url: string) => url.toLowerCase().replace(/\/+$/, "");

/** A diagnostic setting sends AuditEvent when the category (or the audit / allLogs group) is enabled, with enough retention. */
export function sendsAuditEvent(
  log: { category?: string; categoryGroup?: string; enabled: boolean; retentionPolicy?: { enabled: boolean; days: number } },
  retentionDays: number,
  toStorage: boolean,
): boolean {
  const named = log.category?.toLowerCase() === "auditevent" || ["audit", "alllogs"].includes(log.categoryGroup?.toLowerCase() ?? "");
  if (!named || !log.enabled) return false;
  // Retention applies to storage destinations only; 0 days means forever.
  const retention = log.retentionPolicy;
  return !toStorage || !retention?.enabled || retention.days === 0 || retention.days >= retentionDays;
}

export async function readVaultFacts(target: VaultTarget, subscriptions: SubscriptionVaults[], logRetentionDays: number): Promise<VaultFacts> {
  const facts: VaultFacts = { name: target.name, url: target.url };
  if (subscriptions.length === 0) {
    return { ...facts, error: "no subscription to look for the vault in: set KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS to the subscriptions of your vaults" };
  }
  const match = (predicate: (v: Vault) => boolean) => {
    for (const s of subscriptions) {
      const vault = s.vaults.find(predicate);
      if (vault) return { vault, clients: s.clients };
    }
    return undefined;
  };
  const found =
    match((v) => v.properties.vaultUri !== undefined && normalUrl(v.properties.vaultUri) === normalUrl(target.url)) ??
    match((v) => v.name?.toLowerCase() === target.name.toLowerCase());
  if (!found) {
    const failed = subscriptions.filter((s) => s.error).map((s) => s.error);
    const searched = subscriptions.map((s) => s.subscriptionId).join(", ");
    return {
      ...facts,
      error: failed.length
        ? failed.join("; ")
        : `vault ${target.name} (${target.url}) is not among the vaults kvguard's identity can read in subscription(s) ${searched}: grant it Reader on the vault, or add the vault's subscription to KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS`,
    };
  }
  const { vault, clients } = found;
  const p = vault.properties;
  Object.assign(facts, {
    resourceId: vault.id,
    ...(vault.location ? { location: vault.location } : {}),
    // Absent means the default: soft delete is on for every vault made since 2020; purge protection is off until enabled.
    softDeleteEnabled: p.enableSoftDelete !== false,
    ...(p.softDeleteRetentionInDays !== undefined ? { softDeleteRetentionDays: p.softDeleteRetentionInDays } : {}),
    purgeProtectionEnabled: p.enablePurgeProtection === true,
    rbacAuthorization: p.enableRbacAuthorization === true,
    publicNetworkAccess: p.publicNetworkAccess ?? "Enabled",
    firewallDefaultAction: p.networkAcls?.defaultAction ?? "Allow",
    privateEndpoints: (p.privateEndpointConnections ?? []).filter((c) => c.privateLinkServiceConnectionState?.status === "Approved").length,
  } satisfies Partial<VaultFacts>);
  const problems: string[] = [];
  const resourceUri = vault.id!.replace(/^\//, "");
  try {
    const settings = await clients.monitor.diagnosticSettings.list(resourceUri);
    facts.auditDiagnostics = (settings.value ?? [])
      .filter((s) => (s.logs ?? []).some((log) => sendsAuditEvent({ ...log, enabled: log.enabled }, logRetentionDays, Boolean(s.storageAccountId))))
      .map((s) => ({
        name: s.name ?? "",
        ...(s.workspaceId ? { workspace: s.workspaceId } : {}),
        ...(s.storageAccountId ? { storageAccount: s.storageAccountId } : {}),
      }));
  } catch (error) {
    problems.push(`diagnostic settings: ${errorMessage(error)}`);
  }
  const access: NonNullable<VaultFacts["access"]> = [];
  try {
    for await (const a of clients.authorization.roleAssignments.listForScope(resourceUri)) {
      const role = roleName(a.roleDefinitionId ?? "");
      if (!isDataRole(role) || !a.principalId) continue;
      access.push({ principalId: a.principalId, ...(a.principalType ? { principalType: a.principalType } : {}), role, scope: a.scope ?? vault.id! });
    }
    // Access policies grant data access only to a vault on the access-policy model.
    if (!facts.rbacAuthorization) {
      for (const policy of p.accessPolicies ?? []) access.push({ principalId: policy.objectId, role: accessPolicyRole(policy.permissions), scope: vault.id! });
    }
    facts.access = access;
  } catch (error) {
    problems.push(`role assignments: ${errorMessage(error)}`);
  }
  if (problems.length) facts.error = problems.join("; ");
  return facts;
}
