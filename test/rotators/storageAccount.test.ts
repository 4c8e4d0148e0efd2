/**
 * The `storage-account` rotator end to end through the rotation engine against the local stack: ARM (the
 * local cloud, through `@azure/arm-storage`) regenerates the key not in use, Azurite really honours the new
 * key at once, the previous key keeps working through the grace period and stops when the next rotation
 * regenerates it. Also: each value format, concurrent triggers, ARM 429/503 retried, a failure between
 * regenerateKey and Key Vault's update finished by a rerun with the key the account already holds, bad
 * ProviderAddress and options, and no key in any log, history row, status row or alert.
 */
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../../emulator/localKeyVault.js";
import { randomUUID } from "node:crypto";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localStorageAccountId } from "../../emulator/cloud/storageArm.js";
import { alertsFromRotation } from "../../src/alerts/fromRotation.js";
import { seedStorageDemo, STORAGE_DEMO_ACCOUNT, STORAGE_DEMO_SECRET } from "../../dev/demo/storageDemo.js";
import type { JobResult } from "../../src/rotation/engine.js";
import type { RotationJob } from "../../src/rotation/job.js";
import type { RotationService } from "../../src/rotation/service.js";
import { keyOf } from "../../src/rotators/key-pair/value.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { createApp } from "../../src/app/index.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, PENDING, serviceFor, versionsOf } from "../helpers/rotation.js";

const LOCAL_SCOPE = `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}`;
let stack: LocalStack;
let service: RotationService;
const capture = new Capture();

/** Whether a key signs a Blob service call Azurite accepts (true) or the status it refused with. */
async function works(account: string, key: string): Promise<true | number | undefined> {
  const client = new BlobServiceClient(stack.azurite.endpointsOf(account).blob, new StorageSharedKeyCredential(account, key), {
    retryOptions: { maxTries: 1 },
  });
  return client.getProperties().then(
    () => true as const,
    (error: { statusCode?: number }) => error.statusCode,
  );
}

/** The account's keys now, remembered as secret values for the leak scan. */
function keysOf(account: string): { key1: string; key2: string; key2Created: string } {
  const a = stack.azurite.accounts.get(account)!;
  for (const k of a.keys) capture.values.add(k.value);
  return { key1: a.keys[0].value, key2: a.keys[1].value, key2Created: a.keys[1].creationTime };
}

/** A new account and a secret holding its key1, with the rotator's tags. */
async function seed(name: string, tags: Record<string, string> = {}): Promise<{ account: string; version: string }> {
  const account = name.replace(/[^a-z0-9]/g, "").slice(0, 24);
  await stack.azurite.accounts.create(account);
  const secret = await kvguardSecrets(stack).setSecret(name, keysOf(account).key1, {
    tags: { "kvguard-rotator": "storage-account", ProviderAddress: localStorageAccountId(account), CredentialId: "key1", ...tags },
  });
  return { account, version: secret.properties.version! };
}

async function rotate(name: string): Promise<JobResult> {
  const result = await service.rotateNow("local", name);
  capture.add(`alerts ${name}`, JSON.stringify(alertsFromRotation({ job: job(name, "manual"), result })));
  return result;
}

function job(name: string, trigger: RotationJob["trigger"], baseVersion?: string): RotationJob {
  return { v: 1, kind: "secret", vault: "local", name, trigger, ...(baseVersion ? { baseVersion } : {}), requestedAt: new Date().toISOString() };
}

/** What the rotator told the service log (where `RotatorContext.log` goes). */
function serviceLog(): string {
  return capture.texts
    .filter((t) => t.where === "service log")
    .map((t) => t.text)
    .join("\n");
}

async function historyText(name: string): Promise<string> {
  return (await service.history.list({ vault: "local", name })).map((r) => `${r.step} ${r.outcome} ${r.message}`).join("\n");
}

beforeAll(async () => {
  // The operator binds the local subscription: every Azurite account of the local cloud.
  // The demo test below rotates every two minutes, as the demo's operator allows (KVGUARD_MIN_ROTATION_PERIOD).
  stack = await startLocalStack({
    policy: { bindings: { "storage-account": [{ accounts: [LOCAL_SCOPE] }] } },
    settings: { KVGUARD_MIN_ROTATION_PERIOD: "PT1M" },
  });
  service = await serviceFor(stack, capture);
});
afterAll(() => stack.stop());

describe("storage-account rotation", () => {
  it("regenerates key2, validates it at Azurite, stores it; key1 stays valid (grace); the next rotation regenerates key1", async () => {
    const { account, version } = await seed("storage-e2e");
    const before = keysOf(account);
    const result = await rotate("storage-e2e");
    expect(result.outcome).toBe("rotated");
    const secrets = kvguardSecrets(stack);
    const live = await secrets.getSecret("storage-e2e");
    const after = keysOf(account);
    expect(after.key1).toBe(before.key1);
    expect(after.key2).not.toBe(before.key2);
    expect(live.value).toBe(after.key2);
    expect(live.properties.tags).toMatchObject({ CredentialId: "key2", "kvguard-previous-version": version });
    expect(await works(account, after.key2)).toBe(true);
    expect(await works(account, before.key2)).toBe(403);
    // The grace period: consumers still on the previous version (key1) keep working.
    expect(await works(account, before.key1)).toBe(true);

    const second = await rotate("storage-e2e");
    expect(second.outcome).toBe("rotated");
    const third = keysOf(account);
    expect(third.key2).toBe(after.key2);
    expect(third.key1).not.toBe(before.key1);
    expect((await secrets.getSecret("storage-e2e")).value).toBe(third.key1);
    expect(await works(account, before.key1)).toBe(403);
    expect(await works(account, third.key1)).toBe(true);
    expect(await works(account, after.key2)).toBe(true);
    expect((await secrets.getSecret("storage-e2e")).properties.tags?.CredentialId).toBe("key1");
    // Regenerating revokes the account SAS tokens signed with that key: the history and the alert say so.
    expect(serviceLog()).toMatch(/local\/storage-e2e: regenerated key2 of storage account /);
    expect(await historyText("storage-e2e")).toMatch(
      /^finish ok new live version \w+ replaces \w+\. Warning: account SAS tokens signed with the regenerated key stop working$/m,
    );
    const [alert] = alertsFromRotation({ job: job("storage-e2e", "manual"), result: second });
    expect(alert?.explanation).toContain("Warning: account SAS tokens signed with the regenerated key stop working.");
  });

  it("writes a connection string or a JSON document when the policy asks, each working as is", async () => {
    const cs = await seed("storage-cs", { "kvguard-options": "format=connectionString" });
    expect((await rotate("storage-cs")).outcome).toBe("rotated");
    const csValue = (await kvguardSecrets(stack).getSecret("storage-cs")).value!;
    expect(csValue).toContain(`AccountName=${cs.account};AccountKey=${keysOf(cs.account).key2};`);
    await BlobServiceClient.fromConnectionString(csValue).getProperties();

    const js = await seed("storage-json", { "kvguard-options": "format=json" });
    expect((await rotate("storage-json")).outcome).toBe("rotated");
    const doc = JSON.parse((await kvguardSecrets(stack).getSecret("storage-json")).value!) as Record<string, string>;
    expect(doc).toMatchObject({
      accountName: js.account,
      keyName: "key2",
      key: keysOf(js.account).key2,
      blobEndpoint: stack.azurite.endpointsOf(js.account).blob,
    });
    await BlobServiceClient.fromConnectionString(doc.connectionString!).getProperties();
    // The JSON value rotates again (the key is read back out of it).
    expect((await rotate("storage-json")).outcome).toBe("rotated");
    expect((JSON.parse((await kvguardSecrets(stack).getSecret("storage-json")).value!) as { keyName: string }).keyName).toBe("key1");
  });

  it("rotates once when schedule, event and manual triggers fire together", async () => {
    const { account, version } = await seed("storage-concurrent");
    const before = keysOf(account);
    const results = await Promise.all((["schedule", "event", "manual"] as const).map((t) => service.engine.run({ ...job("storage-concurrent", t, version) })));
    // Schedule and event triggers find it not due (no schedule, no expiry) or already rotated; one manual run rotates.
    expect(results.filter((r) => r.outcome === "rotated")).toHaveLength(1);
    const after = keysOf(account);
    expect(after.key1).toBe(before.key1);
    expect(await versionsOf(kvguardSecrets(stack), "storage-concurrent")).toHaveLength(2);
    expect((await kvguardSecrets(stack).getSecret("storage-concurrent")).value).toBe(after.key2);
    const rows = await service.history.list({ vault: "local", name: "storage-concurrent" });
    expect(rows.filter((r) => r.step === "finish")).toHaveLength(1);
  });

  it("three manual triggers at once regenerate one key once", async () => {
    const { account, version } = await seed("storage-triple");
    const results = await Promise.all([0, 1, 2].map(() => service.engine.run(job("storage-triple", "manual", version))));
    expect(results.map((r) => r.outcome).sort()).toEqual(["already-rotated", "already-rotated", "rotated"]);
    expect((await kvguardSecrets(stack).getSecret("storage-triple")).value).toBe(keysOf(account).key2);
  });

  it("rides out ARM 429 (Retry-After) and 503 during a rotation", async () => {
    const { account } = await seed("storage-throttled");
    stack.cloud.addFault({ status: 429, count: 2, retryAfterSeconds: 1, match: "POST /subscriptions/" });
    stack.cloud.addFault({ status: 503, count: 1, match: "POST /subscriptions/" });
    expect((await rotate("storage-throttled")).outcome).toBe("rotated");
    expect(stack.cloud.faults.list().every((f) => f.remaining === 0)).toBe(true);
    expect((await kvguardSecrets(stack).getSecret("storage-throttled")).value).toBe(keysOf(account).key2);
  });

  it("a failure after regenerateKey and before Key Vault is updated: the rerun stores the key the account holds, without regenerating again", async () => {
    const { account, version } = await seed("storage-midway");
    const before = keysOf(account);
    // Key Vault refuses the pending credential's write: the key is regenerated, nothing is persisted.
    stack.tv.kv.faults.add({ status: 500, count: 20, match: `PUT /secrets/storage-midway${PENDING}` });
    await expect(rotate("storage-midway")).rejects.toThrow();
    stack.tv.kv.faults.clear();
    const regenerated = keysOf(account);
    expect(regenerated.key2).not.toBe(before.key2);
    expect((await kvguardSecrets(stack).getSecret("storage-midway")).properties.version).toBe(version);

    expect((await rotate("storage-midway")).outcome).toBe("rotated");
    const after = keysOf(account);
    expect(after).toEqual(regenerated);
    const live = await kvguardSecrets(stack).getSecret("storage-midway");
    expect(live.value).toBe(regenerated.key2);
    expect(live.properties.tags?.CredentialId).toBe("key2");
    expect(serviceLog()).toMatch(/storagemidway .*instead of regenerating again/);
    expect(await openPendings(kvguardSecrets(stack))).toEqual([]);
  });

  it("fails clearly on a bad ProviderAddress or option, changing nothing", async () => {
    const { account } = await seed("storage-bad-address", { ProviderAddress: "/subscriptions/x/resourceGroups/rg/storageAccounts/acct" });
    const before = keysOf(account);
    await expect(rotate("storage-bad-address")).rejects.toThrow(
      /ProviderAddress "\/subscriptions\/x\/resourceGroups\/rg\/storageAccounts\/acct" is not a storage account resource id: expected \/subscriptions\/<subscription id>\/resourceGroups\/<resource group>\/providers\/Microsoft.Storage\/storageAccounts\/<account name>/,
    );
    expect(keysOf(account)).toEqual(before);
    expect(await historyText("storage-bad-address")).toContain("is not a storage account resource id");

    await seed("storage-missing", { ProviderAddress: localStorageAccountId("nosuchaccount") });
    await expect(rotate("storage-missing")).rejects.toThrow(/storage account nosuchaccount .* was not found; check the secret's ProviderAddress/);

    await seed("storage-bad-format", { "kvguard-options": "format=xml" });
    const invalid = await rotate("storage-bad-format");
    expect(invalid).toMatchObject({ outcome: "invalid-policy" });
    expect(invalid.message).toContain('format "xml" is not one of key, connectionString, json');
  });

  it("refuses a current value that is not one of the account's keys", async () => {
    const { account } = await seed("storage-foreign");
    await kvguardSecrets(stack).setSecret("storage-foreign", Buffer.alloc(64, 7).toString("base64"), {
      tags: { "kvguard-rotator": "storage-account", ProviderAddress: localStorageAccountId(account) },
    });
    const before = keysOf(account);
    await expect(rotate("storage-foreign")).rejects.toThrow(/does not work at|neither key1 nor key2/);
    expect(keysOf(account)).toEqual(before);
  });

  it("seeds the npm start demo once, validated against Azurite, and it rotates", async () => {
    const lines: string[] = [];
    const runtime = await createApp(stack.env).rotatorRuntime();
    const demo = { azurite: stack.azurite, vaultUrl: stack.tv.kv.urls.local!, ca: stack.tv.kv.tls.caPem, runtime, write: (line: string) => lines.push(line) };
    expect(await seedStorageDemo(demo)).toEqual({ secret: STORAGE_DEMO_SECRET, account: STORAGE_DEMO_ACCOUNT, outcome: "seeded", validated: true });
    const seeded = await kvguardSecrets(stack).getSecret(STORAGE_DEMO_SECRET);
    expect(seeded.properties.tags).toMatchObject({ "kvguard-rotator": "storage-account", CredentialId: "key1", "kvguard-rotate-every": "PT2M" });
    expect((await rotate(STORAGE_DEMO_SECRET)).outcome).toBe("rotated");
    expect(await seedStorageDemo(demo)).toMatchObject({ outcome: "kept", validated: true });
    expect(keyOf((await kvguardSecrets(stack).getSecret(STORAGE_DEMO_SECRET)).value!)).toBe(keysOf(STORAGE_DEMO_ACCOUNT).key2);
    for (const line of lines) capture.add("demo output", line);
    expect(lines.at(-1)).toMatch(/works \(Blob service call\)/);
  });

  it("writes no key into logs, history, status or alerts", async () => {
    const failed = alertsFromRotation({ job: job("storage-e2e", "manual"), error: new Error("probe"), at: new Date().toISOString() });
    capture.add("failure alert", JSON.stringify(failed));
    capture.add("random marker", randomUUID());
    await expectNoSecretValues(stack, capture, service);
  });
});
