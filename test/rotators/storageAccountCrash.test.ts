/**
 * The `storage-account` rotator's own crash window, through the built CLI: `kvguard rotate` SIGKILLed right
 * after regenerateKey, inside its create step (before Key Vault holds anything new), then run again. The rerun
 * finishes with the key the account already holds: the key is regenerated once, the live secret holds it, no
 * pending credential stays open, and the other key still works. A kill after each engine step is the rotator
 * contract's (contract.test.ts).
 */
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../../emulator/localKeyVault.js";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localStorageAccountId } from "../../emulator/cloud/storageArm.js";
import type { RotationService } from "../../src/rotation/service.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, PENDING, serviceFor, versionsOf } from "../helpers/rotation.js";

const CASES = ["regenerate"] as const;
type Case = (typeof CASES)[number];

const LOCAL_SCOPE = `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}`;
let stack: LocalStack;
let service: RotationService;
const capture = new Capture();
const state = new Map<Case, { name: string; account: string; key1: string; key2: string; regenerated?: string }>();

function keysOf(account: string): { key1: string; key2: string } {
  const keys = stack.azurite.accounts.get(account)!.keys;
  for (const k of keys) capture.values.add(k.value);
  return { key1: keys[0].value, key2: keys[1].value };
}

async function works(account: string, key: string): Promise<boolean> {
  const client = new BlobServiceClient(stack.azurite.endpointsOf(account).blob, new StorageSharedKeyCredential(account, key), {
    retryOptions: { maxTries: 1 },
  });
  return client.getProperties().then(
    () => true,
    () => false,
  );
}

/** `kvguard rotate`, killed with SIGKILL by the step hook, or by `kill()` once `killWhen` holds. */
function rotateCli(name: string, extraEnv: Record<string, string>, killWhen?: () => boolean) {
  return capture.cli(stack, ["rotate", `local/${name}`, "--json"], extraEnv, killWhen);
}

beforeAll(async () => {
  // The operator binds the local subscription: every Azurite account of the local cloud.
  stack = await startLocalStack({ policy: { bindings: { "storage-account": [{ accounts: [LOCAL_SCOPE] }] } } });
  service = await serviceFor(stack, capture);
  for (const c of CASES) {
    const name = `storage-crash-${c}`;
    const account = `crash${c}`;
    await stack.azurite.accounts.create(account);
    const keys = keysOf(account);
    await kvguardSecrets(stack).setSecret(name, keys.key1, {
      tags: { "kvguard-rotator": "storage-account", ProviderAddress: localStorageAccountId(account), CredentialId: "key1" },
    });
    state.set(c, { name, account, ...keys });
  }
});
afterAll(() => stack.stop());

describe("storage-account rotations killed midway", () => {
  it("are killed after regenerateKey (nothing in Key Vault yet)", async () => {
    const secrets = kvguardSecrets(stack);
    await Promise.all(
      CASES.map(async (c) => {
        const s = state.get(c)!;
        // Key Vault makes the pending write wait 30 s (429 Retry-After); the kill lands once key2 has changed.
        stack.tv.kv.faults.add({ status: 429, count: 10, retryAfterSeconds: 30, match: `PUT /secrets/${s.name}${PENDING}` });
        const killed = await rotateCli(s.name, {}, () => stack.azurite.accounts.get(s.account)!.keys[1].value !== s.key2);
        expect(killed.code, `${c}: ${killed.stderr}`).toBeNull();
        stack.tv.kv.faults.clear();
        await expect(secrets.getSecret(`${s.name}${PENDING}`)).rejects.toMatchObject({ statusCode: 404 });
        s.regenerated = keysOf(s.account).key2;
        expect(s.regenerated).not.toBe(s.key2);
      }),
    );
  });

  it("are finished by a rerun with the key the account already holds, regenerated once", async () => {
    const secrets = kvguardSecrets(stack);
    const results = await Promise.all(CASES.map((c) => rotateCli(state.get(c)!.name, {})));
    for (const [i, c] of CASES.entries()) {
      const s = state.get(c)!;
      expect(results[i]!.code, c).toBe(0);
      const outcome = (JSON.parse(results[i]!.stdout.trim().split("\n").at(-1)!) as { outcome: string }).outcome;
      expect(outcome, c).toBe("rotated");
      const keys = keysOf(s.account);
      expect(keys.key2, `${c}: key2 regenerated once`).toBe(s.regenerated);
      expect(keys.key1, c).toBe(s.key1);
      const live = await secrets.getSecret(s.name);
      expect(live.value, c).toBe(s.regenerated);
      expect(live.properties.tags?.CredentialId).toBe("key2");
      expect(await versionsOf(secrets, s.name), c).toHaveLength(2);
      expect(await works(s.account, s.regenerated!), c).toBe(true);
      // The previous key stays valid through the grace period.
      expect(await works(s.account, s.key1), c).toBe(true);
    }
    expect(await openPendings(secrets)).toEqual([]);
  });

  it("print no key in any output, history or status", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
