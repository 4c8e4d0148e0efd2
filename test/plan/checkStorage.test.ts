/**
 * @module `kvguard rotate --check` on a `storage-account` secret (the built CLI, the local cloud's ARM over
 * Azurite's accounts): the current key is proven with a Blob call and kvguard's identity may list the
 * account's keys; when ARM refuses listKeys (an injected 403) the managing step fails and the others pass;
 * the account's keys and the secret's versions are the same afterwards.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { localStorageAccountId } from "../../emulator/cloud/storageArm.js";
import type { CheckReport } from "../../src/plan/check.js";
import { LOCAL_SUBSCRIPTION_ID } from "../../emulator/localKeyVault.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, kvguardSecrets, versionsOf } from "../helpers/rotation.js";

const ACCOUNT = "checkaccount";
let stack: LocalStack;
const capture = new Capture();

beforeAll(async () => {
  stack = await startLocalStack({ policy: { bindings: { "storage-account": [{ accounts: [`/subscriptions/${LOCAL_SUBSCRIPTION_ID}`] }] } } });
  await stack.azurite.accounts.create(ACCOUNT);
  const key1 = stack.azurite.accounts.get(ACCOUNT)!.keys[0].value;
  await kvguardSecrets(stack).setSecret("storage-key", key1, {
    tags: { "kvguard-rotator": "storage-account", ProviderAddress: localStorageAccountId(ACCOUNT), CredentialId: "key1" },
  });
});
afterAll(async () => {
  await stack?.stop();
});

async function check(): Promise<{ code: number | null; report: CheckReport }> {
  const result = await capture.cli(stack, ["rotate", "local/storage-key", "--check", "--json"]);
  expect(result.stderr).toBe("");
  return { code: result.code, report: JSON.parse(result.stdout) as CheckReport };
}

it("proves the key and the right to regenerate it, and changes neither", async () => {
  const keys = () => stack.azurite.accounts.get(ACCOUNT)!.keys.map((k) => `${k.value}|${k.creationTime}`);
  const before = { keys: keys(), versions: (await versionsOf(kvguardSecrets(stack), "storage-key")).map((v) => v.version) };
  const passing = await check();
  expect(passing.code).toBe(0);
  expect(passing.report.steps.map((s) => [s.check, s.ok])).toEqual([
    ["policy", true],
    ["bindings", true],
    ["current credential", true],
    ["managing credential", true],
  ]);
  expect(passing.report.steps[3]!.detail).toBe(`kvguard's identity may list the keys of storage account ${ACCOUNT} (what regenerating needs)`);

  stack.cloud.addFault({ status: 403, count: 1, match: "POST /subscriptions/" });
  const refused = await check();
  expect(refused.code).toBe(1);
  expect(refused.report.steps.map((s) => [s.check, s.ok])).toEqual([
    ["policy", true],
    ["bindings", true],
    ["current credential", true],
    ["managing credential", false],
  ]);

  expect(keys()).toEqual(before.keys);
  expect((await versionsOf(kvguardSecrets(stack), "storage-key")).map((v) => v.version)).toEqual(before.versions);
});
