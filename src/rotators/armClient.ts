/**
 * @module The `@azure/arm-*` clients rotators make (storage-account, each key-pair type), from the runtime the
 * app gives rotators (the ARM endpoint, the local CA, the app's identity): one per runtime, SDK and
 * subscription, so a client's pipeline keeps its token and connections across rotations. Each SDK is imported
 * when a rotation first needs it: together they are most of what a rotation would load at a cold start.
 */
import type { TokenCredential } from "@azure/core-auth";
import { armClientOptions, type ArmClientOptions } from "../azure/cloudClients.js";
import type { RotatorRuntime } from "./types.js";

export type ArmClientMaker<T> = new (
  credential: TokenCredential,
  subscriptionId: string,
  options: ArmClientOptions & { credentials: { scopes: string[] } },
) => T;

const clients = new WeakMap<RotatorRuntime, Map<string, unknown>>();

export async function armClient<T>(runtime: RotatorRuntime, load: () => Promise<ArmClientMaker<T>>, subscriptionId: string): Promise<T> {
  const maker = await load();
  let made = clients.get(runtime);
  if (!made) clients.set(runtime, (made = new Map<string, unknown>()));
  const id = `${maker.name}|${subscriptionId}`;
  let client = made.get(id) as T | undefined;
  if (!client) {
    const options = armClientOptions(runtime.cloud, runtime.ca);
    // The modular SDKs read their token scope from `credentials.scopes`, the older ones from `credentialScopes`.
    client = new maker(runtime.credential, subscriptionId, { ...options, credentials: { scopes: options.credentialScopes } });
    made.set(id, client);
  }
  return client;
}
