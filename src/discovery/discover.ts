/**
 * @module Vault discovery: every vault ARM lists (`vaults.listBySubscription`, which shows only what kvguard's
 * identity may read) that carries the discovery tag joins the vaults of KVGUARD_VAULT_URLS. The subscriptions
 * searched are KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS when set, else every one the identity can read. A tag only
 * selects: the vault's name, URL and subscription come from ARM's own fields, and a vault whose id is not in
 * the subscription listed or whose vaultUri is not a Key Vault address is skipped. What cannot be listed is
 * reported and skipped: discovery never stops kvguard from guarding the vaults it found or was given.
 */
import type { Vault } from "@azure/arm-keyvault";
import type { TokenCredential } from "@azure/core-auth";
import { armClientOptions } from "../azure/cloudClients.js";
import { credentialFor } from "../azure/credential.js";
import { vaultNameProblem } from "../common/keyVaultNames.js";
import { createArmClients } from "../compliance/armClients.js";
import { errorMessage } from "../compliance/errors.js";
import { listSubscriptions, type SubscriptionVaults } from "../compliance/managementPlane.js";
import type { DiscoveryTag } from "../config/discoverySettings.js";
import type { KvguardConfig } from "../config/schema.js";
import { isAzureVaultHost, isLoopbackHost, parseVaultUrl, type VaultTarget } from "../config/vaultUrl.js";
import { readableSubscriptions } from "./subscriptions.js";

export interface DiscoveredVault {
  target: VaultTarget;
  resourceId: string;
  resourceGroup: string;
  subscription: SubscriptionVaults;
}

export interface Discovery {
  vaults: DiscoveredVault[];
  /** The subscriptions whose vaults were listed (or tried). */
  subscriptionIds: string[];
  problems: string[];
}

const normalUrl = (url: string) => url.toLowerCase().replace(/\/+$/, "");

/** Tag names are case-insensitive in Azure, values are not. */
export function hasTag(tags: Record<string, string> | undefined, tag: DiscoveryTag): boolean {
  const entry = Object.entries(tags ?? {}).find(([name]) => name.toLowerCase() === tag.name.toLowerCase());
  return entry !== undefined && (tag.value === undefined || entry[1] === tag.value);
}

/** The vault as kvguard would guard it, or why not. */
function vaultOf(vault: Vault, subscriptionId: string, local: boolean): { target: VaultTarget; resourceGroup: string } | string {
  const shown = `vault ${vault.name ?? vault.id ?? "(unnamed)"} in subscription ${subscriptionId}`;
  const id = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)$/i.exec(vault.id ?? "");
  if (!id || id[1]!.toLowerCase() !== subscriptionId || !vault.name || id[3]!.toLowerCase() !== vault.name.toLowerCase()) {
    return `${shown} has no Key Vault resource id of that subscription in ARM's answer; skipped`;
  }
  if (vaultNameProblem(vault.name)) return `${shown} has a name Key Vault does not allow; skipped`;
  const parsed = parseVaultUrl((vault.properties.vaultUri ?? "").replace(/\/+$/, ""));
  const host = parsed.ok ? new URL(parsed.vault.url).hostname : "";
  if (!parsed.ok || !(local ? isLoopbackHost(host) : isAzureVaultHost(host))) {
    return `${shown} has no ${local ? "local" : "Key Vault"} address (vaultUri) in ARM's answer; skipped`;
  }
  return { target: { name: vault.name, url: parsed.vault.url }, resourceGroup: id[2]! };
}

export async function discoverVaults(config: KvguardConfig, given?: TokenCredential): Promise<Discovery> {
  const out: Discovery = { vaults: [], subscriptionIds: [], problems: [] };
  if (!config.discovery) return out;
  const credential = given ?? (await credentialFor(config.identity));
  const { tag } = config.discovery;
  const options = armClientOptions(config.cloud, config.local?.caPem);
  if (config.discovery.subscriptionIds) out.subscriptionIds = config.discovery.subscriptionIds;
  else {
    try {
      const readable = await readableSubscriptions(credential, options);
      out.subscriptionIds = readable.ids;
      out.problems.push(...readable.skipped);
    } catch (error) {
      out.problems.push(`listing the subscriptions kvguard's identity can read: ${errorMessage(error)}`);
      return out;
    }
    if (out.subscriptionIds.length === 0) out.problems.push("kvguard's identity can read no subscription, so no vault was found by tag");
  }
  const subscriptions = await listSubscriptions(out.subscriptionIds, (id) => createArmClients(credential, id, options));
  for (const subscription of subscriptions) {
    if (subscription.error) out.problems.push(subscription.error);
    for (const vault of subscription.vaults.filter((v: Vault) => hasTag(v.tags, tag))) {
      const found = vaultOf(vault, subscription.subscriptionId, config.local !== undefined);
      if (typeof found === "string") out.problems.push(found);
      else out.vaults.push({ ...found, resourceId: vault.id!, subscription });
    }
  }
  return out;
}

/** The configured vaults plus the discovered ones not already listed (by URL or name); compliance searches their subscriptions too. */
export function withDiscovered(config: KvguardConfig, discovery: Discovery): KvguardConfig {
  const known = (v: VaultTarget) => config.vaults.some((c) => normalUrl(c.url) === normalUrl(v.url) || c.name.toLowerCase() === v.name.toLowerCase());
  const added = discovery.vaults.map((d) => d.target).filter((v) => !known(v));
  const subscriptionIds = [...new Set([...config.compliance.subscriptionIds, ...discovery.vaults.map((d) => d.subscription.subscriptionId)])];
  return { ...config, vaults: [...config.vaults, ...added], compliance: { ...config.compliance, subscriptionIds } };
}

/** Said wherever the vaults are shown when there are none: kvguard runs, and guards nothing. */
export function noVaultNote(config: KvguardConfig): string {
  const tag = config.discovery
    ? config.discovery.tag.value === undefined
      ? config.discovery.tag.name
      : `${config.discovery.tag.name}=${config.discovery.tag.value}`
    : undefined;
  return tag
    ? `kvguard guards no vault: vault discovery found none tagged ${tag} and KVGUARD_VAULT_URLS lists none`
    : "kvguard guards no vault: KVGUARD_VAULT_URLS lists none";
}
