/**
 * The `key-pair` rotator end to end through the rotation engine against the local stack, for every type of
 * its table: ARM (the local cloud, through each service's `@azure/arm-*` SDK) regenerates the key not in use,
 * the type's data-plane call proves the new key (Azurite and a real redis-server for storage and Redis, the
 * local cloud's providers for the rest), the key in use is never regenerated, the next rotation regenerates
 * the other key, and a key regenerated away is refused by the service. A run that regenerated a key and
 * could not persist it is finished by the rerun with the key the service holds (the write-ahead note), for
 * types that list their keys differently (App Configuration's key id, a real redis-server); the SIGKILLed run is
 * the rotator contract's (contract/suite.ts). Also: connection string and JSON formats, read-only pairs, bad
 * addresses, and no key in any log, history row, status row or output.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../../emulator/localKeyVault.js";
import type { JobResult } from "../../src/rotation/engine.js";
import type { RotationService } from "../../src/rotation/service.js";
import { resolveKeyPairTarget } from "../../src/rotators/key-pair/index.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { needs } from "../helpers/machineServices.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, PENDING, serviceFor, versionsOf } from "../helpers/rotation.js";
import { CASES, keysOf, makeResource, named, REDIS_CASE, type KeyPairCase } from "./keyPairCases.js";

const redis = needs("redis");
let stack: LocalStack;
let service: RotationService;
const capture = new Capture();
/** The operator binds the key-pair rotator to the local resource group, as a deployer would bind theirs. */
const LOCAL_SCOPE = `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}`;
const BOUND = { bindings: { "key-pair": [{ resources: [LOCAL_SCOPE] }] } };

/** A resource of the case and a secret holding its first key, with the rotator's tags. */
async function seed(c: KeyPairCase, secret: string, tags: Record<string, string> = {}): Promise<string> {
  const id = await makeResource(stack, c);
  await kvguardSecrets(stack).setSecret(secret, keysOf(stack, c, capture)[0], {
    tags: { "kvguard-rotator": "key-pair", ProviderAddress: id, CredentialId: c.names[0], ...tags },
  });
  return id;
}

async function rotate(name: string): Promise<JobResult> {
  return service.rotateNow("local", name);
}

function serviceLog(): string {
  return capture.texts
    .filter((t) => t.where === "service log")
    .map((t) => t.text)
    .join("\n");
}

/** Two rotations: each regenerates the key not in use and leaves the key in use as it was; then a regenerated-away key is refused. */
async function rotatesTwiceAndRefusesOldKeys(c: KeyPairCase): Promise<void> {
  const secret = `kp-${c.name}`;
  await seed(c, secret);
  const secrets = kvguardSecrets(stack);
  const [first, second] = keysOf(stack, c, capture);

  expect((await rotate(secret)).outcome, c.label).toBe("rotated");
  const afterOne = keysOf(stack, c, capture);
  expect(afterOne[0], `${c.label}: the key in use is never regenerated`).toBe(first);
  expect(afterOne[1], `${c.label}: the other key is regenerated`).not.toBe(second);
  const live = await secrets.getSecret(secret);
  expect(live.value, c.label).toBe(afterOne[1]);
  expect(live.properties.tags?.CredentialId, c.label).toBe(c.names[1]);

  expect((await rotate(secret)).outcome, c.label).toBe("rotated");
  const afterTwo = keysOf(stack, c, capture);
  expect(afterTwo[1], `${c.label}: the key in use is never regenerated`).toBe(afterOne[1]);
  expect(afterTwo[0], c.label).not.toBe(first);
  expect((await secrets.getSecret(secret)).value, c.label).toBe(afterTwo[0]);
  expect(await versionsOf(secrets, secret), c.label).toHaveLength(3);

  // The first key is gone at the service: the engine's check of the current value is refused by its data plane.
  await secrets.setSecret(secret, first, {
    tags: { "kvguard-rotator": "key-pair", ProviderAddress: (await secrets.getSecret(secret)).properties.tags!.ProviderAddress!, CredentialId: c.names[0] },
  });
  await expect(rotate(secret), c.label).rejects.toThrow(/refused|AUTH|answered 40[13]/);
  expect(keysOf(stack, c, capture), `${c.label}: a refused current key changes nothing`).toEqual(afterTwo);
}

/** Key Vault refuses the pending write once the key not in use was regenerated; the rerun adopts that key, regenerating nothing. */
async function adoptsAfterRegenerate(c: KeyPairCase): Promise<void> {
  const secret = `kp-midway-${c.name}`;
  await seed(c, secret);
  const [first, second] = keysOf(stack, c, capture);
  stack.tv.kv.faults.add({ status: 500, count: 20, match: `PUT /secrets/${secret}${PENDING}` });
  await expect(rotate(secret), c.label).rejects.toThrow();
  stack.tv.kv.faults.clear();
  const regenerated = keysOf(stack, c, capture);
  expect(regenerated[0], c.label).toBe(first);
  expect(regenerated[1], c.label).not.toBe(second);

  expect((await rotate(secret)).outcome, c.label).toBe("rotated");
  expect(keysOf(stack, c, capture), `${c.label}: regenerated once, the key in use untouched`).toEqual(regenerated);
  const live = await kvguardSecrets(stack).getSecret(secret);
  expect(live.value, c.label).toBe(regenerated[1]);
  expect(live.properties.tags?.CredentialId, c.label).toBe(c.names[1]);
  expect(await versionsOf(kvguardSecrets(stack), secret), c.label).toHaveLength(2);
  expect(serviceLog(), c.label).toContain("instead of regenerating again");
}

beforeAll(async () => {
  stack = await startLocalStack({ policy: BOUND });
  // The rotator reads kvguard's settings from the environment, as the Functions host and the CLI provide them.
  Object.assign(process.env, stack.env);
  service = await serviceFor(stack, capture);
});
afterAll(() => stack.stop());

describe("key-pair rotation of every type against the local cloud", () => {
  for (const c of CASES) {
    it(`${c.label}: regenerates the key not in use, validates it, stores it; a regenerated-away key is refused`, () => rotatesTwiceAndRefusesOldKeys(c));
  }
});

describe("key-pair: a key regenerated but not yet in Key Vault", () => {
  for (const label of ["storage", "service bus queue rule", "app configuration"]) {
    it(`${label}: the rerun stores the key the service holds, without regenerating again`, () =>
      adoptsAfterRegenerate(
        named(
          CASES.find((c) => c.label === label)!,
          "midway",
        ),
      ));
  }
});

redis.describe("key-pair rotation of Azure Cache for Redis against a real redis-server", () => {
  it("regenerates the key not in use, which AUTH then accepts; the old key is refused by AUTH", () => rotatesTwiceAndRefusesOldKeys(REDIS_CASE));

  it("after a key regenerated but not yet in Key Vault, the rerun stores the key the redis-server holds; AUTH accepts it", () =>
    adoptsAfterRegenerate(named(REDIS_CASE, "midway")));

  it("writes the StackExchange connection string a client connects with", async () => {
    redis.at();
    const c = named(REDIS_CASE, "cs");
    await seed(c, "kp-redis-cs", { "kvguard-options": "format=connectionString" });
    expect((await rotate("kp-redis-cs")).outcome).toBe("rotated");
    const value = (await kvguardSecrets(stack).getSecret("kp-redis-cs")).value!;
    const port = stack.cloud.providers.keyPairs.redisPort(c.name);
    expect(value).toBe(`127.0.0.1:${port},password=${keysOf(stack, c, capture)[1]},ssl=True,abortConnect=False`);
  });
});

describe("key-pair value formats and key sets", () => {
  it("connection strings: Cosmos DB, a Service Bus queue rule (EntityPath), SignalR, App Configuration, storage", async () => {
    const expected: Record<string, (key: string, id: string) => RegExp> = {
      cosmos: (key) => new RegExp(`^AccountEndpoint=https://127\\.0\\.0\\.1:\\d+/cosmos/kp-cosmos-cs/;AccountKey=${escape(key)};$`),
      "service bus queue rule": (key) =>
        new RegExp(
          `^Endpoint=sb://127\\.0\\.0\\.1:\\d+/servicebus/kp-sbq-cs/;SharedAccessKeyName=orders-manage;SharedAccessKey=${escape(key)};EntityPath=orders$`,
        ),
      signalr: (key) => new RegExp(`^Endpoint=https://127\\.0\\.0\\.1:\\d+/signalr/kp-signalr-cs;AccessKey=${escape(key)};Version=1\\.0;$`),
      "app configuration": (key) => new RegExp(`^Endpoint=https://127\\.0\\.0\\.1:\\d+/appconfig/kp-appconfig-cs;Id=[^;]+;Secret=${escape(key)}$`),
      storage: (key) => new RegExp(`^DefaultEndpointsProtocol=http;AccountName=kpstoragecs;AccountKey=${escape(key)};BlobEndpoint=`),
    };
    for (const c of CASES.filter((x) => x.label in expected).map((x) => named(x, "cs"))) {
      const secret = `kp-cs-${c.name}`;
      await seed(c, secret, { "kvguard-options": "format=connectionString" });
      expect((await rotate(secret)).outcome, c.label).toBe("rotated");
      const value = (await kvguardSecrets(stack).getSecret(secret)).value!;
      expect(value, c.label).toMatch(expected[c.label]!(keysOf(stack, c, capture)[1], ""));
      // The connection string rotates again (its key is read back out of it).
      expect((await rotate(secret)).outcome, c.label).toBe("rotated");
    }
  });

  it("JSON carries the type, resource id, key name, key and endpoint; types without a connection string refuse that format", async () => {
    const c = named(
      CASES.find((x) => x.kind === "cognitive")!,
      "json",
    );
    const id = await seed(c, "kp-json", { "kvguard-options": "format=json" });
    expect((await rotate("kp-json")).outcome).toBe("rotated");
    const doc = JSON.parse((await kvguardSecrets(stack).getSecret("kp-json")).value!) as Record<string, string>;
    expect(doc).toMatchObject({ type: "cognitive", resourceId: id, keyName: "key2", key: keysOf(stack, c, capture)[1] });
    expect(doc.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/cognitive\/kp-openai-json\/$/);
    expect((await rotate("kp-json")).outcome).toBe("rotated");

    const s = named(
      CASES.find((x) => x.kind === "search")!,
      "nocs",
    );
    await seed(s, "kp-search-cs", { "kvguard-options": "format=connectionString" });
    const before = keysOf(stack, s, capture);
    await expect(rotate("kp-search-cs")).rejects.toThrow(/Azure AI Search service has no connection string format; use format key or json/);
    // The key not in use was regenerated before the format was refused; the key in use stays.
    expect(keysOf(stack, s, capture)[0]).toBe(before[0]);
  });

  it("rotates the read-only pair of Cosmos DB and App Configuration, leaving the read-write keys alone", async () => {
    for (const [kind, slots, names] of [
      ["cosmos", ["primaryReadonlyMasterKey", "secondaryReadonlyMasterKey"], ["primaryReadonly", "secondaryReadonly"]],
      ["appConfiguration", ["Primary Read Only", "Secondary Read Only"], ["Primary Read Only", "Secondary Read Only"]],
    ] as const) {
      const base = CASES.find((x) => x.kind === kind)!;
      const c: KeyPairCase = { ...named(base, "ro"), slots: [...slots], names: [...names] };
      const readWrite = named(base, "ro");
      const secret = `kp-ro-${kind}`;
      await seed(c, secret, { "kvguard-options": "keys=readOnly" });
      const rw = keysOf(stack, readWrite, capture);
      const ro = keysOf(stack, c, capture);
      expect((await rotate(secret)).outcome, kind).toBe("rotated");
      expect(keysOf(stack, readWrite, capture), kind).toEqual(rw);
      const after = keysOf(stack, c, capture);
      expect(after[0], kind).toBe(ro[0]);
      expect(after[1], kind).not.toBe(ro[1]);
      expect((await kvguardSecrets(stack).getSecret(secret)).value, kind).toBe(after[1]);
    }
  });
});

describe("key-pair: the key in use, addresses, options", () => {
  it("goes by the value, not CredentialId: a secret holding the second key regenerates the first", async () => {
    const c = named(
      CASES.find((x) => x.kind === "serviceBus")!,
      "tag",
    );
    const id = await seed(c, "kp-tag");
    const [first, second] = keysOf(stack, c, capture);
    await kvguardSecrets(stack).setSecret("kp-tag", second, { tags: { "kvguard-rotator": "key-pair", ProviderAddress: id, CredentialId: "primary" } });
    expect((await rotate("kp-tag")).outcome).toBe("rotated");
    const after = keysOf(stack, c, capture);
    expect(after[1]).toBe(second);
    expect(after[0]).not.toBe(first);
    expect(serviceLog()).toMatch(/CredentialId says primary, but the secret holds secondary; kvguard goes by the value/);
  });

  it("refuses a resource outside the operator's bindings, naming the setting and changing nothing", async () => {
    const c = named(
      CASES.find((x) => x.kind === "cosmos")!,
      "unbound",
    );
    await seed(c, "kp-unbound");
    const before = keysOf(stack, c, capture);
    await stack.writePolicy!({ bindings: { "key-pair": [{ resources: [`/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/another-group`] }] } });
    try {
      const result = await rotate("kp-unbound");
      expect(result.outcome).toBe("refused");
      expect(JSON.stringify(result)).toMatch(/bindings\.key-pair\[\]\.resources/);
    } finally {
      await stack.writePolicy!(BOUND);
    }
    expect(keysOf(stack, c, capture)).toEqual(before);
  });

  it("refuses a current value that is neither key, changing nothing", async () => {
    const c = named(
      CASES.find((x) => x.kind === "search")!,
      "foreign",
    );
    const id = await seed(c, "kp-foreign");
    const before = keysOf(stack, c, capture);
    await kvguardSecrets(stack).setSecret("kp-foreign", "not-a-key-of-this-service-0123456789", {
      tags: { "kvguard-rotator": "key-pair", ProviderAddress: id },
    });
    await expect(rotate("kp-foreign")).rejects.toThrow(/answered 403: the service refused the key/);
    expect(keysOf(stack, c, capture)).toEqual(before);
  });

  it("names the shapes it knows for a bad ProviderAddress, and resolves each type's resource id", async () => {
    await kvguardSecrets(stack).setSecret("kp-bad-address", "x".repeat(44), {
      tags: { "kvguard-rotator": "key-pair", ProviderAddress: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/db" },
    });
    await expect(rotate("kp-bad-address")).rejects.toThrow(
      /is not a resource the key-pair rotator knows: after providers\/ expected one of: Microsoft\.Storage\/storageAccounts\/<account name>; Microsoft\.Cache\/redis\/<cache name>;/,
    );
    const rule = resolveKeyPairTarget("/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns/eventhubs/h1/authorizationRules/send");
    expect({ type: rule.type.name, parts: rule.parts }).toEqual({
      type: "eventhubs",
      parts: { name: "ns", collection: "eventhubs", entity: "h1", rule: "send" },
    });
    expect(resolveKeyPairTarget(" /subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/Redis/c1 ").id).toBe(
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/Redis/c1",
    );
    await kvguardSecrets(stack).setSecret("kp-bad-option", "x".repeat(44), {
      tags: { "kvguard-rotator": "key-pair", ProviderAddress: "/x", "kvguard-options": "keys=admin" },
    });
    const invalid = await rotate("kp-bad-option");
    expect(invalid.outcome).toBe("invalid-policy");
    expect(invalid.message).toContain('keys "admin" is not one of readWrite, readOnly');
  });

  it("leaves no pending credential open and prints no key in any output, history or status", async () => {
    expect(await openPendings(kvguardSecrets(stack))).toEqual([]);
    await expectNoSecretValues(stack, capture, service);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
