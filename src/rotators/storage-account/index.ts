/**
 * @module `storage-account`: the storage row of the key-pair table under its own name, as Microsoft's sample
 * has it: a storage account's access keys alternating key1 and key2 (`CredentialId` names the key in use;
 * `ProviderAddress` is the account's resource id, checked with its own message). Its steps and crash safety
 * are the key-pair rotator's (key-pair/rotator.ts); what is its own: the options (`format`, `blobEndpoint`),
 * the JSON value, the trust binding (`bindings.storage-account[].accounts`, `blobEndpoints`) and the warning
 * that regenerating a key breaks the account SAS tokens signed with it.
 */
import { createKeyPairRotator } from "../key-pair/rotator.js";
import { SAS_WARNING, storageAccess, storageType } from "../key-pair/types/storage.js";
import { parseStorageAccountAddress } from "./address.js";
import { storageAccountOptions, type StorageAccountOptions } from "./options.js";
import { renderStorageValue } from "./value.js";

export const storageAccountRotator = createKeyPairRotator<StorageAccountOptions>({
  name: "storage-account",
  rotationWarning: SAS_WARNING,
  parseOptions(raw) {
    const parsed = storageAccountOptions.safeParse(raw);
    return parsed.success ? { data: parsed.data } : { problems: parsed.error.issues.map((i) => i.message) };
  },
  resolve(ctx) {
    const { subscriptionId, resourceGroup, account, id } = parseStorageAccountAddress(ctx.providerAddress);
    return { type: storageType, id, subscriptionId, resourceGroup, parts: { name: account } };
  },
  named: (target) => `storage account ${target.parts.name!}`,
  access: (target, options, ctx) => storageAccess(target, ctx.runtime, options.blobEndpoint),
  /** The account whose keys are regenerated, and the blob endpoint named by the options (if any). */
  targets: (target, options) => [
    { kind: "storage-account" as const, id: target.id, ...(options.blobEndpoint !== undefined ? { blobEndpoint: options.blobEndpoint } : {}) },
  ],
  render: (options, target, key, described) => renderStorageValue(options.format, target.parts.name!, key, described),
});
