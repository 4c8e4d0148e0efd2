/**
 * The local cloud's key-based resources through their real `@azure/arm-*` clients: ARM's shapes (Cosmos DB's
 * four keys, read-only keys and key metadata; a Service Bus rule's rights; App Configuration's key ids),
 * ARM's errors (unknown resource, bad key name), the admin API (never showing keys), and keys kept across a
 * restart on the same state folder, a cache's redis-server serving the same keys again.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppConfigurationManagementClient } from "@azure/arm-appconfiguration";
import { CosmosDBManagementClient } from "@azure/arm-cosmosdb";
import { RedisManagementClient } from "@azure/arm-rediscache";
import { ServiceBusManagementClient } from "@azure/arm-servicebus";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalCloud } from "../../emulator/cloud/index.js";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../../emulator/index.js";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { startTestCloud, type TestCloud } from "../helpers/localCloud.js";
import { needs } from "../helpers/machineServices.js";

const RG = LOCAL_RESOURCE_GROUP;
const redis = needs("redis");
let t: TestCloud;
let stateDir: string;
const credential = new DevTokenCredential({ name: "kvguard" });
/** The SDKs of the older generation read their token scope from `credentialScopes`, the newer from `credentials.scopes`. */
const options = () => ({ ...t.armOptions(), endpoint: t.cloud.url, credentialScopes: t.armOptions().credentials.scopes });

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "kvguard-keypairs-"));
  t = await startTestCloud({ stateDir });
});
afterAll(async () => {
  // The Redis test replaces t.cloud with a restarted one: close whichever runs now.
  await t.cloud.close();
  await t.tv.kv.close();
  await rm(stateDir, { recursive: true, force: true });
});

describe("key-based resources on the local cloud's ARM", () => {
  it("Cosmos DB: four keys, the read-only pair, key generation times, and regenerate (long-running) answered done", async () => {
    const cosmos = new CosmosDBManagementClient(credential, LOCAL_SUBSCRIPTION_ID, options());
    await t.cloud.providers.keyPairs.create({ kind: "cosmos", name: "shapes-cosmos" });
    const keys = await cosmos.databaseAccounts.listKeys(RG, "shapes-cosmos");
    expect(
      Object.keys(keys)
        .filter((k) => k.endsWith("Key"))
        .sort(),
    ).toEqual(["primaryMasterKey", "primaryReadonlyMasterKey", "secondaryMasterKey", "secondaryReadonlyMasterKey"]);
    expect(Buffer.from(keys.primaryMasterKey!, "base64")).toHaveLength(64);
    const readOnly = await cosmos.databaseAccounts.listReadOnlyKeys(RG, "shapes-cosmos");
    expect(readOnly.primaryReadonlyMasterKey).toBe(keys.primaryReadonlyMasterKey);
    await cosmos.databaseAccounts.beginRegenerateKeyAndWait(RG, "shapes-cosmos", { keyKind: "secondaryReadonly" });
    const after = await cosmos.databaseAccounts.listKeys(RG, "shapes-cosmos");
    expect(after.secondaryReadonlyMasterKey).not.toBe(keys.secondaryReadonlyMasterKey);
    expect(after.primaryMasterKey).toBe(keys.primaryMasterKey);
    const account = await cosmos.databaseAccounts.get(RG, "shapes-cosmos");
    expect(account.documentEndpoint).toBe(`${t.cloud.url}/cosmos/shapes-cosmos/`);
    expect(account.keysMetadata?.secondaryReadonlyMasterKey?.generationTime).toBeInstanceOf(Date);
  });

  it("Service Bus: a namespace comes with RootManageSharedAccessKey; an entity rule's rights and connection strings", async () => {
    const sb = new ServiceBusManagementClient(credential, LOCAL_SUBSCRIPTION_ID, options());
    await t.cloud.providers.keyPairs.create({ kind: "serviceBus", name: "shapes-sb", entity: "queues/jobs", rule: "sender", rights: ["Send"] });
    const root = await sb.namespaces.listKeys(RG, "shapes-sb", "RootManageSharedAccessKey");
    expect(root.keyName).toBe("RootManageSharedAccessKey");
    const rule = await sb.queues.getAuthorizationRule(RG, "shapes-sb", "jobs", "sender");
    expect(rule.rights).toEqual(["Send"]);
    const keys = await sb.queues.listKeys(RG, "shapes-sb", "jobs", "sender");
    expect(keys.primaryConnectionString).toBe(
      `Endpoint=sb://${new URL(t.cloud.url).host}/servicebus/shapes-sb/;SharedAccessKeyName=sender;SharedAccessKey=${keys.primaryKey};EntityPath=jobs`,
    );
    const regenerated = await sb.queues.regenerateKeys(RG, "shapes-sb", "jobs", "sender", { keyType: "SecondaryKey" });
    expect(regenerated.secondaryKey).not.toBe(keys.secondaryKey);
    expect(regenerated.primaryKey).toBe(keys.primaryKey);
  });

  it("App Configuration: a regenerated key gets a new id and value; the others stay", async () => {
    const ac = new AppConfigurationManagementClient(credential, LOCAL_SUBSCRIPTION_ID, options());
    await t.cloud.providers.keyPairs.create({ kind: "appConfiguration", name: "shapes-ac" });
    const keys = [];
    for await (const key of ac.configurationStores.listKeys(RG, "shapes-ac")) keys.push(key);
    expect(keys.map((k) => [k.name, k.readOnly])).toEqual([
      ["Primary", false],
      ["Secondary", false],
      ["Primary Read Only", true],
      ["Secondary Read Only", true],
    ]);
    const next = await ac.configurationStores.regenerateKey(RG, "shapes-ac", { id: keys[1]!.id! });
    expect(next.name).toBe("Secondary");
    expect(next.id).not.toBe(keys[1]!.id);
    expect(next.value).not.toBe(keys[1]!.value);
    expect(next.connectionString).toBe(`Endpoint=${t.cloud.url}/appconfig/shapes-ac;Id=${next.id};Secret=${next.value}`);
  });

  it("answers ARM's errors: an unknown resource (404 ResourceNotFound), a key name the API does not have (400)", async () => {
    const cosmos = new CosmosDBManagementClient(credential, LOCAL_SUBSCRIPTION_ID, options());
    await expect(cosmos.databaseAccounts.listKeys(RG, "no-such-account")).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    await expect(cosmos.databaseAccounts.beginRegenerateKeyAndWait(RG, "shapes-cosmos", { keyKind: "tertiary" })).rejects.toMatchObject({
      statusCode: 400,
      code: "InvalidRequestContent",
    });
  });

  it("the admin API adds resources and lists them without their keys; a taken name is 409, an unknown kind 400", async () => {
    const created = await t.admin("POST", "/management/keypairs", { kind: "search", name: "shapes-search" });
    expect(created.status).toBe(201);
    expect(created.json()).toEqual({
      id: `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.Search/searchServices/shapes-search`,
      kind: "search",
      name: "shapes-search",
    });
    expect((await t.admin("POST", "/management/keypairs", { kind: "search", name: "shapes-search" })).status).toBe(409);
    expect((await t.admin("POST", "/management/keypairs", { kind: "mongo", name: "x1" })).status).toBe(400);
    const listed = await t.admin("GET", "/management/keypairs");
    const keys = t.cloud.providers.keyPairs.list().flatMap((r) => Object.values(r.keys).map((k) => k.value));
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.filter((k) => listed.text.includes(k))).toEqual([]);
  });
});

redis.describe("Azure Cache for Redis over a real redis-server", () => {
  it("serves the same keys after a restart on the same state folder; a regenerated key replaces the old one in AUTH", async () => {
    redis.at();
    const arm = () => new RedisManagementClient(credential, LOCAL_SUBSCRIPTION_ID, options());
    await t.cloud.providers.keyPairs.create({ kind: "redis", name: "shapes-redis" });
    const before = await arm().redis.listKeys(RG, "shapes-redis");
    const after = await arm().redis.regenerateKey(RG, "shapes-redis", { keyType: "Primary" });
    expect(after.secondaryKey).toBe(before.secondaryKey);
    await t.cloud.close();
    t.cloud = await startLocalCloud({ kv: t.tv.kv });
    const cache = await arm().redis.get(RG, "shapes-redis");
    expect(cache).toMatchObject({ hostName: "127.0.0.1", enableNonSslPort: false });
    expect(await arm().redis.listKeys(RG, "shapes-redis")).toEqual(after);
    const auth = async (password: string) => {
      const client = new Redis({
        host: "127.0.0.1",
        port: cache.sslPort!,
        password,
        tls: { ca: t.ca },
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on("error", () => undefined);
      try {
        await client.connect();
        return await client.ping();
      } catch {
        return "refused";
      } finally {
        client.disconnect();
      }
    };
    expect(await auth(after.primaryKey!)).toBe("PONG");
    expect(await auth(after.secondaryKey!)).toBe("PONG");
    expect(await auth(before.primaryKey!)).toBe("refused");
  });
});
