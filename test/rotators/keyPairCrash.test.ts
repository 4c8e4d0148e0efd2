/**
 * Crash safety of the `key-pair` rotator through the built CLI: `kvguard rotate` SIGKILLed right after the
 * service regenerated the key not in use (Key Vault holds nothing new yet: the pending write is held back by
 * a 429), for a storage account, a Service Bus queue rule, an App Configuration store (whose key id changes
 * too) and an Azure Cache for Redis (a real redis-server). The rerun finishes with the key the service
 * already holds, without regenerating again (the write-ahead note), and the key in use is never touched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_SUBSCRIPTION_ID } from "../../emulator/localKeyVault.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { needs } from "../helpers/machineServices.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, PENDING, serviceFor, versionsOf } from "../helpers/rotation.js";
import { CASES, keysOf, makeResource, named, REDIS_CASE, type KeyPairCase } from "./keyPairCases.js";

const redis = needs("redis");
let stack: LocalStack;
const capture = new Capture();

function rotateCli(name: string, killWhen?: () => boolean) {
  return capture.cli(stack, ["rotate", `local/${name}`, "--json"], {}, killWhen);
}

interface Crash {
  c: KeyPairCase;
  secret: string;
  first: string;
  regenerated?: [string, string];
}

/** Kills a rotation once the second key changed (nothing in Key Vault yet). */
async function killAfterRegenerate(c: KeyPairCase): Promise<Crash> {
  const secret = `kpcrash-${c.name}`;
  const id = await makeResource(stack, c);
  const [first, second] = keysOf(stack, c, capture);
  const secrets = kvguardSecrets(stack);
  await secrets.setSecret(secret, first, { tags: { "kvguard-rotator": "key-pair", ProviderAddress: id, CredentialId: c.names[0] } });
  // Key Vault makes the pending write wait 30 s (429 Retry-After); the kill lands once the second key has changed.
  stack.tv.kv.faults.add({ status: 429, count: 10, retryAfterSeconds: 30, match: `PUT /secrets/${secret}${PENDING}` });
  const killed = await rotateCli(secret, () => keysOf(stack, c, capture)[1] !== second);
  expect(killed.code, `${c.label}: ${killed.stderr}`).toBeNull();
  await expect(secrets.getSecret(`${secret}${PENDING}`)).rejects.toMatchObject({ statusCode: 404 });
  const regenerated = keysOf(stack, c, capture);
  expect(regenerated[0], c.label).toBe(first);
  expect(regenerated[1], c.label).not.toBe(second);
  return { c, secret, first, regenerated };
}

/** Reruns it (once the killed run's lock lease has lapsed) and checks the rerun kept the regenerated key. */
async function rerun(crash: Crash): Promise<void> {
  const { c, secret, regenerated } = crash;
  const result = await rotateCli(secret);
  expect(result.code, `${c.label}: ${result.stderr}`).toBe(0);
  expect((JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { outcome: string }).outcome, c.label).toBe("rotated");
  expect(keysOf(stack, c, capture), `${c.label}: regenerated once, the key in use untouched`).toEqual(regenerated);
  const secrets = kvguardSecrets(stack);
  const live = await secrets.getSecret(secret);
  expect(live.value, c.label).toBe(regenerated![1]);
  expect(live.properties.tags?.CredentialId, c.label).toBe(c.names[1]);
  expect(await versionsOf(secrets, secret), c.label).toHaveLength(2);
}

const crashes: Crash[] = [];
let redisCrash: Crash | undefined;

beforeAll(async () => {
  stack = await startLocalStack({ policy: { bindings: { "key-pair": [{ resources: [`/subscriptions/${LOCAL_SUBSCRIPTION_ID}`] }] } } });
  Object.assign(process.env, stack.env);
});
afterAll(() => stack.stop());

// Kills first, reruns after: the reruns wait out the killed runs' lock leases together.
describe("key-pair rotations killed after regenerate, before Key Vault is updated", () => {
  it("are killed once the storage account, the Service Bus queue rule and the App Configuration store regenerated the key not in use", async () => {
    const cases = ["storage", "service bus queue rule", "app configuration"].map((label) =>
      named(
        CASES.find((c) => c.label === label)!,
        "crash",
      ),
    );
    crashes.push(...(await Promise.all(cases.map(killAfterRegenerate))));
    stack.tv.kv.faults.clear();
  });
});

redis.describe("an Azure Cache for Redis rotation killed after regenerate", () => {
  it("is killed once the redis-server's secondary key changed", async () => {
    redisCrash = await killAfterRegenerate(named(REDIS_CASE, "crash"));
    stack.tv.kv.faults.clear();
  });
});

describe("key-pair reruns after a kill after regenerate", () => {
  it("store the key the service already holds, without regenerating again", async () => {
    expect(crashes).toHaveLength(3);
    await Promise.all(crashes.map(rerun));
  });
});

redis.describe("the Azure Cache for Redis rerun", () => {
  it("stores the key the redis-server holds, without regenerating again; AUTH accepts it", async () => {
    expect(redisCrash).toBeDefined();
    await rerun(redisCrash!);
  });
});

describe("key-pair crash reruns", () => {
  it("leave no pending credential open and print no key in any output, history or status", async () => {
    expect(await openPendings(kvguardSecrets(stack))).toEqual([]);
    await expectNoSecretValues(stack, capture, await serviceFor(stack, capture));
  });
});
