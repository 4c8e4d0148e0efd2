/**
 * @module What every key-pair type needs from kvguard's settings, read from the environment as every entry
 * point sets it: ARM client options (endpoint, local CA, the app's identity) for its `@azure/arm-*` client,
 * and the CA its data-plane check trusts. Clients are kept per settings and subscription.
 */
import type { TokenCredential } from "@azure/core-auth";
import { armClientOptions, type ArmClientOptions } from "../../azure/cloudClients.js";
import { credentialFor } from "../../azure/credential.js";
import { formatProblem, loadConfig, SETTING_NAMES, type KvguardConfig } from "../../config/schema.js";
import type { RotatorRuntime } from "../types.js";

export function kvguardConfig(): KvguardConfig {
  // kvguard's own settings only: a misspelt or foreign KVGUARD_ name is the config check's business, not a rotation's.
  const loaded = loadConfig(Object.fromEntries(SETTING_NAMES.map((name) => [name, process.env[name]])));
  if (!loaded.ok) throw new Error(`kvguard's settings are invalid: ${loaded.problems.map(formatProblem).join("; ")}`);
  return loaded.config;
}

/** The local CA (PEM) when kvguard runs against the local stack; data-plane checks trust it. */
export function localCa(): string | undefined {
  return kvguardConfig().local?.caPem;
}

export type ArmClientMaker<T> = new (
  credential: TokenCredential,
  subscriptionId: string,
  options: ArmClientOptions & { credentials: { scopes: string[] } },
) => T;

const clients = new Map<string, unknown>();
const runtimes = new Map<string, RotatorRuntime>();

/** The runtime other rotators' code (the storage account's ARM) needs, one per settings. */
export function runtimeFromSettings(): RotatorRuntime {
  const config = kvguardConfig();
  const id = `${config.cloud.armEndpoint}|${config.local?.caFile ?? ""}|${JSON.stringify(config.identity)}`;
  let runtime = runtimes.get(id);
  if (!runtime)
    runtimes.set(id, (runtime = { credential: credentialFor(config.identity), cloud: config.cloud, ...(config.local ? { ca: config.local.caPem } : {}) }));
  return runtime;
}

/** One client of an `@azure/arm-*` SDK per settings and subscription. */
export function armClient<T>(maker: ArmClientMaker<T>, subscriptionId: string): T {
  const config = kvguardConfig();
  const id = `${maker.name}|${config.cloud.armEndpoint}|${config.local?.caFile ?? ""}|${JSON.stringify(config.identity)}|${subscriptionId}`;
  let client = clients.get(id) as T | undefined;
  if (!client) {
    const options = armClientOptions(config.cloud, config.local?.caPem);
    // The modular SDKs read their token scope from `credentials.scopes`, the older ones from `credentialScopes`.
    client = new maker(credentialFor(config.identity), subscriptionId, { ...options, credentials: { scopes: options.credentialScopes } });
    clients.set(id, client);
  }
  return client;
}
