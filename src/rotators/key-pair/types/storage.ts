/**
 * @module Storage accounts in the key-pair table: key1 and key2 through the `storage-account` rotator's own
 * ARM client and Blob service check (Get Blob Service Properties signed with the key, really served by Azurite
 * locally), so `key-pair` and `storage-account` treat an account alike.
 */
import { SAS_WARNING } from "../../storage-account/index.js";
import { StorageArm, type KeyName } from "../../storage-account/arm.js";
import { proveKey } from "../../storage-account/dataPlane.js";
import { connectionString } from "../../storage-account/value.js";
import type { KeyPairType } from "../keyPairType.js";

export const storageType: KeyPairType = {
  name: "storage",
  label: "Storage account",
  shape: "Microsoft.Storage/storageAccounts/<account name>",
  pattern: /^Microsoft\.Storage\/storageAccounts\/(?<name>[^/]+)$/i,
  keyNames: { readWrite: ["key1", "key2"] },
  connectionString: true,
  role: '"Storage Account Key Operator Service Role" on the account',
  warning: SAS_WARNING,
  access(target, _keySet, runtime) {
    const address = { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup, account: target.parts.name!, id: target.id };
    const arm = new StorageArm(address, runtime);
    const endpoints = () => arm.endpoints();
    return {
      async keys() {
        const keys = await arm.keys();
        return [
          { name: "key1", value: keys.key1.value },
          { name: "key2", value: keys.key2.value },
        ];
      },
      async regenerate(keyName) {
        await arm.regenerate(keyName as KeyName);
      },
      async describe(key) {
        const found = await endpoints();
        return { ...(found.blob ? { endpoint: found.blob } : {}), connectionString: connectionString(address.account, key.value, found) };
      },
      async validate(key) {
        const blob = (await endpoints()).blob;
        if (!blob) throw new Error(`storage account ${address.account} has no blob endpoint to validate against`);
        await proveKey(blob.replace(/\/+$/, ""), address.account, key.name, key.value);
      },
    };
  },
};
