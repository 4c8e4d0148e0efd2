/**
 * @module Starts the local cloud with every provider's routes: Key Vault's management plane over the local
 * Key Vault's vaults, Azure Storage's over Azurite's accounts, and Entra ID applications with their token
 * endpoint. It shares the local Key Vault's TLS material, so one CA file trusts both.
 */
import type { RunningAzurite } from "../azurite.js";
import type { LocalKeyVault } from "../localKeyVault.js";
import { entraRoutes } from "./entra/index.js";
import { LocalCloud, type CloudRoute } from "./host.js";
import { keyVaultArmRoutes } from "./keyVaultArm.js";
import { storageArmRoutes } from "./storageArm.js";

export { CloudError, LocalCloud, type CloudRoute } from "./host.js";

export interface LocalCloudOptions {
  kv: LocalKeyVault;
  /** Azurite, whose accounts the storage provider serves; absent: no storage accounts. */
  azurite?: RunningAzurite;
  /** 0 (default): any free port. */
  port?: number;
}

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const routes: CloudRoute[] = [...keyVaultArmRoutes(options.kv), ...entraRoutes({ stateDir: options.kv.options.stateDir })];
  if (options.azurite) routes.push(...storageArmRoutes(options.azurite, () => options.kv.clock.nowMs()));
  return LocalCloud.start({ tls: options.kv.tls, routes, ...(options.port !== undefined ? { port: options.port } : {}) });
}

/** The settings that point kvguard's management-plane clients at a local cloud. */
export function localCloudSettings(cloud: LocalCloud): Record<string, string> {
  return { KVGUARD_ARM_ENDPOINT: cloud.url, KVGUARD_GRAPH_ENDPOINT: cloud.url, KVGUARD_AUTHORITY_HOST: cloud.url };
}
