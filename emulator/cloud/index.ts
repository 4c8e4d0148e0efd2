/**
 * @module Starts the local cloud with every provider's routes: Key Vault's management plane over the local
 * Key Vault's vaults, the tenant's subscriptions, Azure Storage's over Azurite's accounts, Entra ID applications with their token
 * endpoint, App Service sites whose Key Vault references resolve from the local vaults, Event Grid topics,
 * Event Grid namespaces, the Logs Ingestion API, Application Insights' ingestion (track), and key-based resources (Redis over real redis-servers, Cosmos DB, Service Bus,
 * Event Hubs, AI services, AI Search, SignalR, Web PubSub, App Configuration). It shares the local Key Vault's TLS material, so one CA file trusts both.
 */
import type { RunningAzurite } from "../azurite.js";
import type { LocalKeyVault } from "../localKeyVault.js";
import { appInsightsProvider, type LocalAppInsights } from "./appInsights/index.js";
import { entraRoutes } from "./entra/index.js";
import { eventGridProvider, type LocalEventGrid, type LocalNamespaces } from "./eventGrid/index.js";
import { LocalCloud, type CloudRoute } from "./host.js";
import { keyPairsProvider, type LocalKeyPairs } from "./keyPairs/index.js";
import { keyVaultArmRoutes } from "./keyVaultArm.js";
import { logsIngestionProvider, type LocalLogsIngestion } from "./logsIngestion/index.js";
import { storageArmRoutes } from "./storageArm.js";
import { subscriptionRoutes } from "./subscriptions.js";
import { webProvider, type LocalWebApps } from "./web/index.js";

export { CloudError, LocalCloud, type CloudRoute } from "./host.js";

export interface LocalCloudOptions {
  kv: LocalKeyVault;
  /** Azurite, whose accounts the storage provider serves; absent: no storage accounts. */
  azurite?: RunningAzurite;
  /** 0 (default): any free port. */
  port?: number;
}

/** The providers that hold state of their own, for tests and the demo that drive them in-process. */
export interface LocalCloudProviders {
  web: LocalWebApps;
  eventGrid: LocalEventGrid;
  namespaces: LocalNamespaces;
  logs: LocalLogsIngestion;
  keyPairs: LocalKeyPairs;
  appInsights: LocalAppInsights;
}

export type StartedLocalCloud = LocalCloud & { providers: LocalCloudProviders };

export async function startLocalCloud(options: LocalCloudOptions): Promise<StartedLocalCloud> {
  const web = webProvider(options.kv);
  const eventGrid = await eventGridProvider(options.kv);
  const logs = logsIngestionProvider(options.kv);
  const keyPairs = await keyPairsProvider(options.kv);
  const appInsights = appInsightsProvider(options.kv);
  const routes: CloudRoute[] = [
    ...keyVaultArmRoutes(options.kv),
    ...subscriptionRoutes(options.kv),
    ...entraRoutes({ stateDir: options.kv.options.stateDir }),
    ...web.routes,
    ...eventGrid.routes,
    ...logs.routes,
    ...keyPairs.routes,
    ...appInsights.routes,
  ];
  if (options.azurite) routes.push(...storageArmRoutes(options.azurite, () => options.kv.clock.nowMs()));
  const closers = [() => web.web.close(), () => eventGrid.eventGrid.close(), () => eventGrid.namespaces.close(), () => keyPairs.keyPairs.close()];
  let cloud: LocalCloud;
  try {
    cloud = await LocalCloud.start({ tls: options.kv.tls, routes, closers, ...(options.port !== undefined ? { port: options.port } : {}) });
  } catch (error) {
    for (const close of closers) await close();
    throw error;
  }
  eventGrid.eventGrid.baseUrl = cloud.url;
  eventGrid.namespaces.baseUrl = cloud.url;
  logs.logs.baseUrl = cloud.url;
  keyPairs.keyPairs.baseUrl = cloud.url;
  appInsights.appInsights.baseUrl = cloud.url;
  return Object.assign(cloud, {
    providers: {
      web: web.web,
      eventGrid: eventGrid.eventGrid,
      namespaces: eventGrid.namespaces,
      logs: logs.logs,
      keyPairs: keyPairs.keyPairs,
      appInsights: appInsights.appInsights,
    },
  });
}

/** The settings that point kvguard's management-plane clients at a local cloud. */
export function localCloudSettings(cloud: LocalCloud): Record<string, string> {
  return { KVGUARD_ARM_ENDPOINT: cloud.url, KVGUARD_GRAPH_ENDPOINT: cloud.url, KVGUARD_AUTHORITY_HOST: cloud.url };
}
