/**
 * @module The management-plane SDK clients a compliance run reads vaults with: `@azure/arm-keyvault` (vault
 * properties), `@azure/arm-monitor` (diagnostic settings) and `@azure/arm-authorization` (role assignments),
 * one set per subscription, all made with `armClientOptions`.
 */
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { MonitorClient } from "@azure/arm-monitor";
import type { TokenCredential } from "@azure/core-auth";
import type { ArmClientOptions } from "../azure/cloudClients.js";

export interface ArmClients {
  keyVault: KeyVaultManagementClient;
  monitor: MonitorClient;
  authorization: AuthorizationManagementClient;
}

export function createArmClients(credential: TokenCredential, subscriptionId: string, options: ArmClientOptions): ArmClients {
  return {
    // arm-keyvault 5 is a newer generation of client: it takes its token scope as `credentials.scopes`.
    keyVault: new KeyVaultManagementClient(credential, subscriptionId, { ...options, credentials: { scopes: options.credentialScopes } }),
    monitor: new MonitorClient(credential, subscriptionId, options),
    authorization: new AuthorizationManagementClient(credential, subscriptionId, options),
  };
}
