/**
 * @module The storage accounts' management plane through `@azure/arm-storage`, with the runtime the app
 * gives rotators (the ARM endpoint, the local CA, the app's identity).
 * The SDK's pipeline retries 429 and 5xx, waiting what `Retry-After` asks. ARM errors become messages that
 * say what to fix; an ARM error body never holds a key.
 */
import type { StorageAccount, StorageAccountKey, StorageManagementClient } from "@azure/arm-storage";
import { ensureError, statusOf } from "../../../common/errors.js";
import { armClient } from "../../armClient.js";
import type { RotatorRuntime } from "../../types.js";

export type KeyName = "key1" | "key2";

/** A storage account as its resource id names it. */
export interface StorageAccountAddress {
  subscriptionId: string;
  resourceGroup: string;
  account: string;
  /** The id as given, for messages. */
  id: string;
}

/** The account's primary endpoints, as ARM lists them. */
export interface AccountEndpoints {
  blob?: string;
  queue?: string;
  table?: string;
  file?: string;
}

export interface AccountKeys {
  key1: StorageAccountKey & { value: string };
  key2: StorageAccountKey & { value: string };
}

function explain(error: unknown, what: string, address: StorageAccountAddress): Error {
  const status = statusOf(error);
  const where = `storage account ${address.account} (resource group ${address.resourceGroup}, subscription ${address.subscriptionId})`;
  if (status === 404) return new Error(`${what}: ${where} was not found; check the secret's ProviderAddress`, { cause: error });
  if (status === 401 || status === 403) {
    return new Error(`${what}: kvguard's identity may not do this on ${where}; grant it "Storage Account Key Operator Service Role" on the account`, {
      cause: error,
    });
  }
  return new Error(`${what} on ${where} failed${status ? ` (${status})` : ""}: ${ensureError(error).message}`, { cause: error });
}

export class StorageArm {
  readonly #client: StorageManagementClient;

  private constructor(
    readonly address: StorageAccountAddress,
    client: StorageManagementClient,
  ) {
    this.#client = client;
  }

  static async open(address: StorageAccountAddress, runtime: RotatorRuntime): Promise<StorageArm> {
    const client = await armClient(runtime, () => import("@azure/arm-storage").then((m) => m.StorageManagementClient), address.subscriptionId);
    return new StorageArm(address, client);
  }

  async keys(): Promise<AccountKeys> {
    const { account, resourceGroup } = this.address;
    const result = await this.#client.storageAccounts.listKeys(resourceGroup, account).catch((error: unknown) => {
      throw explain(error, "listing the account keys", this.address);
    });
    return this.#pair(result.keys);
  }

  /** Regenerates one key; returns both as they are afterwards. */
  async regenerate(keyName: KeyName): Promise<AccountKeys> {
    const { account, resourceGroup } = this.address;
    const result = await this.#client.storageAccounts.regenerateKey(resourceGroup, account, { keyName }).catch((error: unknown) => {
      throw explain(error, `regenerating ${keyName}`, this.address);
    });
    return this.#pair(result.keys);
  }

  async account(): Promise<StorageAccount> {
    const { account, resourceGroup } = this.address;
    return this.#client.storageAccounts.getProperties(resourceGroup, account).catch((error: unknown) => {
      throw explain(error, "reading the account", this.address);
    });
  }

  /** The account's primary endpoints (blob, queue, table, file), for connection strings and the key check. */
  async endpoints(): Promise<AccountEndpoints> {
    const primary = (await this.account()).primaryEndpoints;
    return {
      ...(primary?.blob ? { blob: primary.blob } : {}),
      ...(primary?.queue ? { queue: primary.queue } : {}),
      ...(primary?.table ? { table: primary.table } : {}),
      ...(primary?.file ? { file: primary.file } : {}),
    };
  }

  #pair(keys: StorageAccountKey[] | undefined): AccountKeys {
    const find = (name: KeyName) => {
      const key = keys?.find((k) => k.keyName?.toLowerCase() === name);
      if (!key?.value) throw new Error(`ARM returned no ${name} for storage account ${this.address.account} (shared key access disabled?)`);
      return key as StorageAccountKey & { value: string };
    };
    return { key1: find("key1"), key2: find("key2") };
  }
}
