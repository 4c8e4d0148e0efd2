/**
 * @module Storage accounts in the key-pair table: key1 and key2 through `@azure/arm-storage` (storageArm.ts),
 * dated by ARM's `creationTime`, and proved with a Blob service call signed with the key (storageCheck.ts,
 * really served by Azurite locally). The `storage-account` rotator is this row under its own name.
 */
import type { KeyPairAccess, KeyPairType, ResolvedTarget } from "../keyPairType.js";
import type { RotatorRuntime } from "../../types.js";
import { StorageArm, type AccountEndpoints, type KeyName } from "./storageArm.js";
import { proveKey } from "./storageCheck.js";

/** Said in history and alerts whenever a key is regenerated. */
export const SAS_WARNING = "account SAS tokens signed with the regenerated key stop working";

const trim = (url: string) => url.replace(/\/+$/, "");

/** A connection string with the account's own endpoints, which fits any cloud (and Azurite). */
export function connectionString(account: string, key: string, endpoints: AccountEndpoints): string {
  const scheme = (endpoints.blob ?? "https:").startsWith("http:") ? "http" : "https";
  const parts = [`DefaultEndpointsProtocol=${scheme}`, `AccountName=${account}`, `AccountKey=${key}`];
  if (endpoints.blob) parts.push(`BlobEndpoint=${trim(endpoints.blob)}`);
  if (endpoints.queue) parts.push(`QueueEndpoint=${trim(endpoints.queue)}`);
  if (endpoints.table) parts.push(`TableEndpoint=${trim(endpoints.table)}`);
  if (endpoints.file) parts.push(`FileEndpoint=${trim(endpoints.file)}`);
  if (!endpoints.blob && !endpoints.queue && !endpoints.table && !endpoints.file) parts.push("EndpointSuffix=core.windows.net");
  return `${parts.join(";")};`;
}

/** An account's keys; `blobEndpoint` (the storage-account rotator's option) replaces ARM's for the proof. */
export async function storageAccess(target: ResolvedTarget, runtime: RotatorRuntime, blobEndpoint?: string): Promise<KeyPairAccess> {
  const address = { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup, account: target.parts.name!, id: target.id };
  const arm = await StorageArm.open(address, runtime);
  return {
    async keys() {
      const keys = await arm.keys();
      const dated = (name: KeyName) => {
        const created = keys[name].creationTime?.getTime();
        return { name, value: keys[name].value, ...(created !== undefined ? { created } : {}) };
      };
      return [dated("key1"), dated("key2")];
    },
    async regenerate(keyName) {
      await arm.regenerate(keyName as KeyName);
    },
    async describe(key) {
      const found = await arm.endpoints();
      return { ...(found.blob ? { endpoint: found.blob } : {}), connectionString: connectionString(address.account, key.value, found) };
    },
    async validate(key) {
      const blob = blobEndpoint ?? (await arm.endpoints()).blob;
      if (!blob) throw new Error(`storage account ${address.account} has no blob endpoint to validate against; set the rotator option blobEndpoint`);
      await proveKey(trim(blob), address.account, key.name, key.value);
    },
  };
}

export const storageType: KeyPairType = {
  name: "storage",
  label: "Storage account",
  shape: "Microsoft.Storage/storageAccounts/<account name>",
  pattern: /^Microsoft\.Storage\/storageAccounts\/(?<name>[^/]+)$/i,
  keyNames: { readWrite: ["key1", "key2"] },
  connectionString: true,
  role: '"Storage Account Key Operator Service Role" on the account',
  checksKeyAlone: true,
  warning: SAS_WARNING,
  access: (target, _keySet, runtime) => storageAccess(target, runtime),
};
