/**
 * @module App Service's management plane as kvguard uses it after a rotation, through `@azure/arm-appservice`:
 * the sites of a resource group, the Key Vault references of a site's app settings (their status list, which
 * names each reference's vault and secret and never a value), and the Key Vault reference refresh
 * (`POST …/config/configreferences/appsettings/refresh`), which the SDK has no method for: it goes through
 * the SDK client's own pipeline (token, retries, the local CA).
 */
import { createWebSiteManagement, type WebSiteManagementContext } from "@azure/arm-appservice/api";
import { listAppSettingsKeyVaultReferences, listByResourceGroup } from "@azure/arm-appservice/api/webApps";
import type { TokenCredential } from "@azure/core-auth";
import type { CloudConfig } from "../config/cloudSettings.js";
import { armClientOptions } from "./cloudClients.js";

const REFRESH_PATH =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/sites/{name}/config/configreferences/appsettings/refresh";
/** The API version the refresh is sent with (the operation exists since 2022-03-01). */
const REFRESH_API_VERSION = "2024-11-01";

export interface SiteRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** A Key Vault reference of a site, as App Service reports it. */
export interface SiteReference {
  reference?: string;
  vaultName?: string;
  secretName?: string;
}

export interface AppServiceArm {
  /** The resource ids of the sites in a resource group. */
  sites(subscriptionId: string, resourceGroup: string): Promise<string[]>;
  references(site: SiteRef): Promise<SiteReference[]>;
  /** Asks the site to fetch every Key Vault reference again now; throws with ARM's status on failure. */
  refresh(site: SiteRef): Promise<void>;
}

/** An error of ARM with its HTTP status (`statusOf` reads it). */
class ArmError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = "ArmError";
  }
}

/** One SDK context per subscription, built on first use and kept: its pipeline keeps the token and the connections. */
export function createAppServiceArm(credential: TokenCredential, cloud: CloudConfig, ca?: string): AppServiceArm {
  const contexts = new Map<string, WebSiteManagementContext>();
  const context = (subscriptionId: string): WebSiteManagementContext => {
    let found = contexts.get(subscriptionId);
    if (!found) {
      const options = armClientOptions(cloud, ca);
      found = createWebSiteManagement(credential, subscriptionId, { ...options, credentials: { scopes: options.credentialScopes } });
      contexts.set(subscriptionId, found);
    }
    return found;
  };
  return {
    async sites(subscriptionId, resourceGroup) {
      const ids: string[] = [];
      for await (const site of listByResourceGroup(context(subscriptionId), resourceGroup)) if (site.id) ids.push(site.id);
      return ids;
    },
    async references(site) {
      const refs: SiteReference[] = [];
      for await (const ref of listAppSettingsKeyVaultReferences(context(site.subscriptionId), site.resourceGroup, site.name)) {
        refs.push({
          ...(ref.reference !== undefined ? { reference: ref.reference } : {}),
          ...(ref.vaultName !== undefined ? { vaultName: ref.vaultName } : {}),
          ...(ref.secretName !== undefined ? { secretName: ref.secretName } : {}),
        });
      }
      return refs;
    },
    async refresh(site) {
      const response = await context(site.subscriptionId)
        .pathUnchecked(REFRESH_PATH, site.subscriptionId, site.resourceGroup, site.name)
        .post({ queryParameters: { "api-version": REFRESH_API_VERSION } });
      const status = Number(response.status);
      if (status < 200 || status >= 300) {
        const error = (response.body as { error?: { code?: string; message?: string } } | undefined)?.error;
        throw new ArmError(`ARM answered ${status}${error?.code ? ` ${error.code}` : ""}${error?.message ? `: ${error.message}` : ""}`, status);
      }
    },
  };
}
