/**
 * The local cloud's Azure Storage management plane through the real `@azure/arm-storage` client: account
 * properties pointing at Azurite, listKeys and regenerateKey in ARM's shapes, a regenerated key live in
 * Azurite at once (the old one refused), devstoreaccount1 kept fixed, ARM errors, 429/503 retried by the
 * SDK after Retry-After, and keys kept across an Azurite restart on the same data folder.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageManagementClient } from "@azure/arm-storage";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY, startAzurite } from "../../emulator/azurite.js";
import { localStorageAccountId } from "../../emulator/cloud/storageArm.js";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../../emulator/index.js";
import { armClientOptions } from "../../src/azure/cloudClients.js";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";

const RG = LOCAL_RESOURCE_GROUP;
let stack: LocalStack;
let arm: StorageManagementClient;

/** Whether a key signs a Blob service call Azurite accepts (true) or the status it refused with. */
async function works(endpoint: string, account: string, key: string): Promise<true | number | undefined> {
  const client = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(account, key), { retryOptions: { maxTries: 1 } });
  return client.getProperties().then(
    () => true as const,
    (error: { statusCode?: number }) => error.statusCode,
  );
}

beforeAll(async () => {
  stack = await startLocalStack();
  const options = armClientOptions(stack.config.cloud, stack.config.local?.caPem);
  arm = new StorageManagementClient(new DevTokenCredential({ name: "kvguard" }), LOCAL_SUBSCRIPTION_ID, {
    ...options,
    credentials: { scopes: options.credentialScopes },
  });
  await stack.azurite.accounts.create("armshapes");
});
afterAll(() => stack.stop());

describe("storage accounts through @azure/arm-storage", () => {
  it("gets an account with Azurite's endpoints and its key creation times", async () => {
    const account = await arm.storageAccounts.getProperties(RG, "armshapes");
    expect(account.id).toBe(localStorageAccountId("armshapes"));
    expect(account).toMatchObject({ name: "armshapes", type: "Microsoft.Storage/storageAccounts", kind: "StorageV2", provisioningState: "Succeeded" });
    expect(account.primaryEndpoints?.blob).toBe(`${stack.azurite.endpointsOf("armshapes").blob}/`);
    expect(account.keyCreationTime?.key1).toBeInstanceOf(Date);
  });

  it("lists key1 and key2 in ARM's shape, and both sign Azurite requests", async () => {
    const { keys } = await arm.storageAccounts.listKeys(RG, "armshapes");
    expect(keys?.map((k) => [k.keyName, k.permissions])).toEqual([
      ["key1", "FULL"],
      ["key2", "FULL"],
    ]);
    expect(keys?.[0]?.creationTime).toBeInstanceOf(Date);
    expect(Buffer.from(keys![0]!.value!, "base64")).toHaveLength(64);
    const blob = stack.azurite.endpointsOf("armshapes").blob;
    expect(await works(blob, "armshapes", keys![0]!.value!)).toBe(true);
    expect(await works(blob, "armshapes", keys![1]!.value!)).toBe(true);
  });

  it("regenerates one key: the new one works at once, the old one is refused, the other is untouched", async () => {
    const before = (await arm.storageAccounts.listKeys(RG, "armshapes")).keys!;
    const after = (await arm.storageAccounts.regenerateKey(RG, "armshapes", { keyName: "key2" })).keys!;
    expect(after[0]!.value).toBe(before[0]!.value);
    expect(after[1]!.value).not.toBe(before[1]!.value);
    expect(after[1]!.creationTime!.getTime()).toBeGreaterThanOrEqual(before[1]!.creationTime!.getTime());
    const blob = stack.azurite.endpointsOf("armshapes").blob;
    expect(await works(blob, "armshapes", after[1]!.value!)).toBe(true);
    expect(await works(blob, "armshapes", before[1]!.value!)).toBe(403);
    expect(await works(blob, "armshapes", before[0]!.value!)).toBe(true);
    // listKeys agrees with what regenerateKey answered.
    expect((await arm.storageAccounts.listKeys(RG, "armshapes")).keys!.map((k) => k.value)).toEqual(after.map((k) => k.value));
  });

  it("keeps devstoreaccount1's well-known key, so kvguard's own state storage keeps working", async () => {
    const { keys } = await arm.storageAccounts.listKeys(RG, DEV_ACCOUNT);
    expect(keys?.[0]?.value).toBe(DEV_ACCOUNT_KEY);
    await expect(arm.storageAccounts.regenerateKey(RG, DEV_ACCOUNT, { keyName: "key1" })).rejects.toMatchObject({ statusCode: 409 });
    await BlobServiceClient.fromConnectionString(stack.azurite.connectionString).getProperties();
  });

  it("answers ARM's errors for an unknown account, resource group or key name", async () => {
    await expect(arm.storageAccounts.listKeys(RG, "nosuchaccount")).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    await expect(arm.storageAccounts.listKeys("other-rg", "armshapes")).rejects.toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound" });
    await expect(arm.storageAccounts.regenerateKey(RG, "armshapes", { keyName: "key3" })).rejects.toMatchObject({ statusCode: 400 });
  });

  it("is retried by the SDK on 429 (after Retry-After) and 503", async () => {
    stack.cloud.addFault({ status: 429, count: 2, retryAfterSeconds: 1, match: "POST /subscriptions/" });
    const started = Date.now();
    const { keys } = await arm.storageAccounts.listKeys(RG, "armshapes");
    expect(keys).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    stack.cloud.addFault({ status: 503, count: 2, match: "POST /subscriptions/" });
    expect((await arm.storageAccounts.regenerateKey(RG, "armshapes", { keyName: "key1" })).keys).toHaveLength(2);
    expect(stack.cloud.faults.list().every((f) => f.remaining === 0)).toBe(true);
  });
});

describe("Azurite's accounts across a restart", () => {
  it("serves the same (regenerated) keys from the data folder, and refuses the replaced one", async () => {
    const location = await mkdtemp(join(tmpdir(), "kvguard-azurite-"));
    try {
      const first = await startAzurite({ location, accounts: "keptacct" });
      const original = first.accounts.get("keptacct")!;
      const regenerated = await first.accounts.regenerate("keptacct", "key1");
      await first.stop();
      const second = await startAzurite({ location, accounts: "keptacct" });
      try {
        expect(second.accounts.get("keptacct")!.keys.map((k) => k.value)).toEqual(regenerated.keys.map((k) => k.value));
        const blob = second.endpointsOf("keptacct").blob;
        expect(await works(blob, "keptacct", regenerated.keys[0].value)).toBe(true);
        expect(await works(blob, "keptacct", regenerated.keys[1].value)).toBe(true);
        expect(await works(blob, "keptacct", original.keys[0].value)).toBe(403);
        await BlobServiceClient.fromConnectionString(second.connectionString).getProperties();
      } finally {
        await second.stop();
      }
    } finally {
      await rm(location, { recursive: true, force: true });
    }
  });
});
