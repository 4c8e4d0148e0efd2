/**
 * @module Which App Service and Functions apps kvguard refreshes after a rotation: the policy file's
 * `appService` section, the operator's declaration (never a secret's tags). Every entry whose `match` names
 * the rotated secret applies: its `sites` are refreshed, and the sites of its `resourceGroups` whose app
 * settings hold a Key Vault reference to that secret of that vault.
 *
 * ```yaml
 * appService:
 *   - match: { vault: prod-kv, name: "payments-*" }
 *     sites: ["/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Web/sites/billing-api"]
 *     resourceGroups: ["/subscriptions/SUB/resourceGroups/apps"]
 * ```
 */
import { z } from "zod";
import type { VaultTarget } from "../config/vaultUrl.js";
import { globMatch } from "./glob.js";

const SITE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Web\/sites\/[^/]+$/i;
const GROUP_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i;

export const appServiceRuleShape = z
  .object({
    match: z.object({ vault: z.string().default("*"), name: z.string().default("*") }).strict(),
    /** Site resource ids (web apps and function apps) refreshed after each rotation of the matched secrets. */
    sites: z
      .array(z.string().regex(SITE_ID, "must be a site's resource id (/subscriptions/S/resourceGroups/G/providers/Microsoft.Web/sites/NAME)"))
      .default([]),
    /** Resource group ids scanned for sites whose app settings reference the rotated secret. */
    resourceGroups: z.array(z.string().regex(GROUP_ID, "must be a resource group id (/subscriptions/S/resourceGroups/G)")).default([]),
  })
  .strict()
  .refine((r) => r.sites.length + r.resourceGroups.length > 0, { message: "name at least one site or resource group" });
export type AppServiceRule = z.output<typeof appServiceRuleShape>;

/** A resource id's parts: subscription, resource group, and (for a site) its name. */
export interface SiteAddress {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export function parseSiteId(id: string): SiteAddress {
  const parts = id.split("/");
  return { id, subscriptionId: parts[2]!, resourceGroup: parts[4]!, name: parts[8]! };
}

export function parseGroupId(id: string): { subscriptionId: string; resourceGroup: string } {
  const parts = id.split("/");
  return { subscriptionId: parts[2]!, resourceGroup: parts[4]! };
}

/** What the operator declared for one secret: the union of every matching entry. */
export function declaredFor(rules: readonly AppServiceRule[], vault: string, name: string): { sites: string[]; resourceGroups: string[] } {
  const matching = rules.filter((r) => globMatch(r.match.vault, vault) && globMatch(r.match.name, name));
  const unique = (ids: string[]) => [...new Map(ids.map((id) => [id.toLowerCase(), id])).values()];
  return { sites: unique(matching.flatMap((r) => r.sites)), resourceGroups: unique(matching.flatMap((r) => r.resourceGroups)) };
}

/** A Key Vault reference as App Service reports it (its status list): the setting's text and what it parsed. */
export interface ReportedReference {
  reference?: string;
  vaultName?: string;
  secretName?: string;
}

/**
 * Whether a reference names `secretName` of `vault`: by its SecretUri's origin, or by its VaultName (the
 * vault's kvguard name or the first label of its host, as App Service names a vault).
 */
export function referencesSecret(ref: ReportedReference, vault: VaultTarget, secretName: string): boolean {
  if (ref.secretName?.toLowerCase() !== secretName.toLowerCase()) return false;
  const uri = /SecretUri=([^;)\s]+)/i.exec(ref.reference ?? "")?.[1];
  if (uri) {
    try {
      return new URL(uri).origin.toLowerCase() === new URL(vault.url).origin.toLowerCase();
    } catch {
      return false;
    }
  }
  const named = ref.vaultName?.toLowerCase();
  return named !== undefined && (named === vault.name.toLowerCase() || named === new URL(vault.url).hostname.split(".")[0]!.toLowerCase());
}
