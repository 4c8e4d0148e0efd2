/**
 * @module The storage-account part of the `npm start` demo: a separate Azurite account (`kvguarddemo`;
 * devstoreaccount1 stays kvguard's own state storage), and a secret in the demo vault holding its key1 as a
 * connection string, with a policy that rotates it every two minutes (key1 ↔ key2). Seeding is idempotent
 * and survives restarts (Azurite keeps the account's keys in the state folder). It reports whether the live
 * value works against Azurite's Blob service, never the value.
 */
import type { RunningAzurite } from "../../emulator/azurite.js";
import { localStorageAccountId } from "../../emulator/cloud/storageArm.js";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { createVaultClients } from "../../src/azure/keyVaultClients.js";
import { ensureError, statusOf } from "../../src/common/errors.js";
import { parseStorageAccountAddress } from "../../src/rotators/storage-account/address.js";
import { StorageArm } from "../../src/rotators/key-pair/types/storageArm.js";
import { proveKey } from "../../src/rotators/key-pair/types/storageCheck.js";
import { connectionString } from "../../src/rotators/key-pair/types/storage.js";
import { keyOf } from "../../src/rotators/key-pair/value.js";
import type { RotatorRuntime } from "../../src/rotators/types.js";

export const STORAGE_DEMO_ACCOUNT = "kvguarddemo";
export const STORAGE_DEMO_SECRET = "demo-storage-connection";

/** The person who set the vault up (as in the rest of the demo). */
const OPERATOR = { name: "platform-engineer", upn: "platform-engineer@kvguard.local" };

export interface StorageDemoOptions {
  azurite: RunningAzurite;
  /** The demo vault's URL and the local CA (PEM). */
  vaultUrl: string;
  ca: string;
  /** How kvguard reaches ARM (the app's), for the check that the live key works. */
  runtime: RotatorRuntime;
  write: (line: string) => void;
}

export interface StorageDemoResult {
  secret: string;
  account: string;
  outcome: "seeded" | "kept";
  /** Whether the live value signed a Blob service call Azurite accepted. */
  validated: boolean;
}

/** Seeds (once) and checks the storage-account demo secret. */
export async function seedStorageDemo(options: StorageDemoOptions): Promise<StorageDemoResult> {
  const account = STORAGE_DEMO_ACCOUNT;
  await options.azurite.accounts.create(account);
  const address = parseStorageAccountAddress(localStorageAccountId(account));
  const arm = await StorageArm.open(address, options.runtime);
  const { secrets } = createVaultClients({ vaultUrl: options.vaultUrl, credential: new DevTokenCredential(OPERATOR), ca: options.ca });

  let value: string | undefined;
  let outcome: StorageDemoResult["outcome"] = "kept";
  try {
    value = (await secrets.getSecret(STORAGE_DEMO_SECRET)).value;
  } catch (error) {
    if (statusOf(error) === 403) {
      // Its latest version was disabled by hand: leave it so.
      options.write(`storage-account demo: ${STORAGE_DEMO_SECRET}'s latest version is disabled; delete the state folder to reseed`);
      return { secret: STORAGE_DEMO_SECRET, account, outcome: "kept", validated: false };
    }
    if (statusOf(error) !== 404) throw error;
    // Microsoft's sample starts the same way: the secret holds key1 and says so in CredentialId.
    const keys = await arm.keys();
    const primary = (await arm.account()).primaryEndpoints ?? {};
    value = connectionString(account, keys.key1.value, {
      ...(primary.blob ? { blob: primary.blob } : {}),
      ...(primary.queue ? { queue: primary.queue } : {}),
      ...(primary.table ? { table: primary.table } : {}),
    });
    await secrets.setSecret(STORAGE_DEMO_SECRET, value, {
      contentType: "text/plain",
      tags: {
        "kvguard-rotator": "storage-account",
        ProviderAddress: address.id,
        CredentialId: "key1",
        "kvguard-rotate-every": "PT2M",
        "kvguard-options": "format=connectionString",
      },
    });
    outcome = "seeded";
  }

  let validated = false;
  try {
    const endpoint = options.azurite.endpointsOf(account).blob;
    await proveKey(endpoint, account, "the live key", keyOf(value ?? ""));
    validated = true;
    options.write(
      `storage-account demo: ${STORAGE_DEMO_SECRET} (${outcome}) holds a key of Azurite account ${account} that works (Blob service call); it rotates every 2 minutes, key1 ↔ key2`,
    );
  } catch (error) {
    options.write(`storage-account demo: ${STORAGE_DEMO_SECRET} (${outcome}) does not work against Azurite account ${account}: ${ensureError(error).message}`);
  }
  return { secret: STORAGE_DEMO_SECRET, account, outcome, validated };
}
