/**
 * @module Vault discovery: every vault ARM lists in the compliance subscriptions (`vaults.listBySubscription`,
 * which shows only what kvguard's identity may read) that carries the discovery tag joins the vaults of
 * KVGUARD_VAULT_URLS. A subscription that cannot be listed, or a vault without a `vaultUri`, is reported and
 * skipped: discovery never stops kvguard from guarding the vaults it was given.
 */
import type { Vault } from "@azure/arm-keyvault";
import type { TokenCredential } from "@azure/core-auth";
import { armClientOptions } from "../azure/cloudClients.js";
import { credentialFor } from "../azure/credential.js";
import { createArmClients } from "../compliance/armClients.js";
import { listSubscriptions, type SubscriptionVaults } from "../compliance/managementPlane.js";
import type { DiscoveryTag } from "../config/discoverySettings.js";
import type { KvguardConfig } from "../config/schema.js";
import type { VaultTarget } from "../config/vaultUrl.js";

export interface DiscoveredVault {
  target: VaultTarget;
  resourceId: string;
  resourceGroup: string;
  subscription: SubscriptionVaults;
}

export interface Discovery {
  vaults: DiscoveredVault[];
  problems: string[];
}

const normalUrl = (url: string) => url.toLowerCase().replace(/\/+$/, "");

/** Tag names are case-insensitive in Azure, values are not. */
export function hasTag(tags: Record<string, string> | undefined, tag: DiscoveryTag): boolean {
  const entry = Object.entries(tags ?? {}).find(([name]) => name.toLowerCase() === tag.name.toLowerCase());
  return entry !== undefined && (tag.value === undefined || entry[1] === tag.value);
}

function resourceGroupOf(id: string): string | undefined {
  return /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1];
}

export async function discoverVaults(config: KvguardConfig, credential: TokenCredential = credentialFor(config.identity)): Promise<Discovery> {
  const out: Discovery = { vaults: [], problems: [] };
  if (!config.discovery) return out;
  const { tag } = config.discovery;
  if (config.compliance.subscriptionIds.length === 0) {
    out.problems.push("KVGUARD_DISCOVERY_TAG is set but KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS names no subscription to list vaults in");
    return out;
  }
  const subscriptions = await listSubscriptions(config.compliance.subscriptionIds, (id) =>
    createArmClients(credential, id, armClientOptions(config.cloud, config.local?.caPem)),
  );
  for (const subscription of subscriptions) {
    if (subscription.error) out.problems.push(subscription.error);
    for (const vault of subscription.vaults.filter((v: Vault) => hasTag(v.tags, tag))) {
      const url = vault.properties.vaultUri;
      const resourceGroup = vault.id ? resourceGroupOf(vault.id) : undefined;
      if (!url || !vault.name || !resourceGroup) {
        out.problems.push(
          `vault ${vault.name ?? vault.id ?? "(unnamed)"} in subscription ${subscription.subscriptionId} has no vaultUri, name or resource group in ARM's answer; skipped`,
        );
        continue;
      }
      out.vaults.push({ target: { name: vault.name, url: url.replace(/\/+$/, "") }, resourceId: vault.id!, resourceGroup, subscription });
    }
  }
  return out;
}

/** The configured vaults plus the discovered ones not already listed (by URL or name). */
export function withDiscovered(config: KvguardConfig, discovery: Discovery): KvguardConfig {
  const known = (v: VaultTarget) => config.vaults.some((c) => normalUrl(c.url) === normalUrl(v.url) || c.name.toLowerCase() === v.name.toLowerCase());
  const added = discovery.vaults.map((d) => d.target).filter((v) => !known(v));
  return added.length ? { ...config, vaults: [...config.vaults, ...added] } : config;
}
