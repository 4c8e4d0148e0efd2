/**
 * @module `ProviderAddress` for a storage account: its ARM resource id, checked segment by segment, so a
 * wrong address is a clear error naming the expected shape (Microsoft's sample splits on `/` and crashes
 * with an index error instead).
 */

import type { StorageAccountAddress } from "../key-pair/types/storageArm.js";

const SHAPE = "/subscriptions/<subscription id>/resourceGroups/<resource group>/providers/Microsoft.Storage/storageAccounts/<account name>";
const ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)\/?$/i;
const ACCOUNT = /^[a-z0-9]{3,24}$/;

export function parseStorageAccountAddress(address: string | undefined): StorageAccountAddress {
  if (address === undefined || address.trim() === "") {
    throw new Error(`ProviderAddress is missing: the storage-account rotator needs the account's resource id, ${SHAPE}`);
  }
  const id = address.trim();
  const match = ID.exec(id);
  if (!match) throw new Error(`ProviderAddress "${id}" is not a storage account resource id: expected ${SHAPE}`);
  const [, subscriptionId, resourceGroup, account] = match as unknown as [string, string, string, string];
  if (!ACCOUNT.test(account)) {
    throw new Error(`ProviderAddress "${id}": "${account}" is not a storage account name (3-24 lowercase letters and digits)`);
  }
  return { subscriptionId, resourceGroup, account, id };
}
