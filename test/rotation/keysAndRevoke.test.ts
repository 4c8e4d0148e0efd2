/**
 * @module Against the local Key Vault, on its movable clock: the `keyvault-key` rotator sets each managed
 * key's native rotation policy through the SDK and calls `rotateKey` when the key is overdue (or on demand,
 * or on KeyNearExpiry); and after a secret's rotation the previous versions are revoked (disabled, recorded)
 * once their grace period has passed, by the sweep.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyVaultKeyRotator, resolveKeyPolicy } from "../../src/rotators/keyvault-key/index.js";
import { createRotators } from "../../src/rotators/registry.js";
import type { RotationService } from "../../src/rotation/service.js";
import { pendingRevokes } from "../../src/rotation/status.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { rejection } from "../helpers/rejection.js";
import { Capture, expectNoSecretValues, kvguardSecrets, serviceFor, vaultEvent, versionsOf } from "../helpers/rotation.js";

const DAY = 86_400;
let stack: LocalStack;
let service: RotationService;
const capture = new Capture();

function keys() {
  return stack.tv.clients({ name: "kvguard" }).keys;
}

async function keyVersions(name: string): Promise<number> {
  let n = 0;
  for await (const _ of keys().listPropertiesOfKeyVersions(name)) n += 1;
  return n;
}

/** Runs every queued job through the service, as the worker would. */
async function runQueue(): Promise<void> {
  for (;;) {
    const { receivedMessageItems: items } = await service.queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (items.length === 0) return;
    for (const item of items) {
      await service.processMessage(item.messageText);
      await service.queue.deleteMessage(item.messageId, item.popReceipt);
    }
  }
}

beforeAll(async () => {
  stack = await startLocalStack();
  service = await serviceFor(stack, capture);
});
afterAll(() => stack.stop());

describe("keyvault-key", () => {
  const TAGS = { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P30D", ValidityPeriodDays: "90", "kvguard-notify-before-expiry": "P10D" };

  it("sets the key's native rotation policy through the SDK, once", async () => {
    await keys().createRsaKey("signing", { tags: TAGS });
    const resolved = resolveKeyPolicy(createRotators(), TAGS);
    if (resolved.kind !== "policy") throw new Error("the policy should resolve");
    const vault = { ...stack.tv.clients({ name: "kvguard" }), target: { name: "local", url: stack.tv.url } };
    const ctx = () => ({ vault, name: "signing", nowMs: stack.tv.kv.clock.nowMs() });
    expect(await keyVaultKeyRotator.reconcile!(ctx(), resolved.policy)).toBe("set the key's native rotation policy to the kvguard policy");
    const native = await keys().getKeyRotationPolicy("signing");
    expect(native.expiresIn).toBe("P90D");
    expect(native.lifetimeActions?.map((a) => [a.action.toLowerCase(), a.timeAfterCreate ?? a.timeBeforeExpiry]).sort()).toEqual([
      ["notify", "P10D"],
      ["rotate", "P30D"],
    ]);
    // Reconciled once: the second pass changes nothing, and neither makes a version.
    expect(await keyVaultKeyRotator.reconcile!(ctx(), resolved.policy)).toBeUndefined();
    expect(keyVaultKeyRotator.due(resolved.policy, (await keyVaultKeyRotator.read(ctx()))!, stack.tv.kv.clock.nowMs()).due).toBe(false);
    expect(await keyVersions("signing")).toBe(1);
  });

  it("a sweep enqueues managed keys; the worker leaves a key alone until it is overdue, then rotates it", async () => {
    await keys().createEcKey("ec-key", { curve: "P-256", tags: { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P7D" } });
    await service.sweep();
    await runQueue();
    expect(await keyVersions("ec-key")).toBe(1);
    expect((await keys().getKeyRotationPolicy("ec-key")).lifetimeActions?.[0]).toMatchObject({ action: "Rotate", timeAfterCreate: "P7D" });
    stack.tv.kv.clock.advance(8 * DAY);
    await service.sweep();
    await runQueue();
    expect(await keyVersions("ec-key")).toBe(2);
    // "signing" (every 30 days) is not overdue yet.
    expect(await keyVersions("signing")).toBe(1);
    const rows = await service.history.list({ vault: "local", name: "ec-key" });
    expect(rows.find((r) => r.step === "finish")?.message).toMatch(/^rotated the key: version \w+ replaces \w+$/);
    expect(await service.status.get("local", "ec-key", "key")).toMatchObject({ kind: "key", state: "ok" });
  });

  it("rotates on demand, and on KeyNearExpiry for the current version only", async () => {
    expect((await service.rotateNow("local", "signing", "key")).outcome).toBe("rotated");
    expect(await keyVersions("signing")).toBe(2);
    const current = (await keys().getKey("signing")).properties.version!;
    const event = { ...vaultEvent(stack, { id: "key-evt-1", name: "signing", version: current, type: "Microsoft.KeyVault.KeyNearExpiry" }) };
    expect((await service.acceptEvents(event)).accepted).toBe(1);
    await runQueue();
    expect(await keyVersions("signing")).toBe(3);
    // The same event again, or one for the version it replaced, rotates nothing.
    await service.acceptEvents(event);
    await service.acceptEvents(vaultEvent(stack, { id: "key-evt-2", name: "signing", version: current, type: "Microsoft.KeyVault.KeyExpired" }));
    await runQueue();
    expect(await keyVersions("signing")).toBe(3);
  });

  it("reports keys with a bad policy and leaves keys without one alone", async () => {
    await keys().createRsaKey("too-often", { tags: { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P1D" } });
    await keys().createRsaKey("wrong-rotator", { tags: { "kvguard-rotator": "random" } });
    await keys().createRsaKey("unmanaged");
    const report = await service.sweep();
    await runQueue();
    const invalid = Object.fromEntries(report.invalid.map((i) => [i.object, i.problems.join("; ")]));
    expect(invalid["local/keys/too-often"]).toContain("kvguard-rotate-every: P1D is shorter than Key Vault's 7-day minimum");
    expect(invalid["local/keys/wrong-rotator"]).toContain('keys rotate with "keyvault-key", not "random"');
    expect(report.noPolicy).toContain("local/keys/unmanaged");
    expect(await service.status.get("local", "too-often", "key")).toMatchObject({ kind: "key", state: "invalid-policy" });
    for (const name of ["too-often", "wrong-rotator", "unmanaged"]) expect(await keyVersions(name)).toBe(1);
  });

  it("a key and a secret of the same name each keep their own status", async () => {
    const secrets = kvguardSecrets(stack);
    await secrets.setSecret("twin", "initial-twin-Qa8w", { tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "P90D" } });
    const secretVersion = (await service.rotateNow("local", "twin")).version!;
    await keys().createRsaKey("twin", { tags: { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P7D" } });
    stack.tv.kv.clock.advance(8 * DAY);
    await service.sweep();
    await runQueue();
    const keyVersion = (await keys().getKey("twin")).properties.version!;
    expect(await keyVersions("twin")).toBe(2);
    expect(await service.status.get("local", "twin", "secret")).toMatchObject({ kind: "secret", state: "ok", lastVersion: secretVersion });
    expect(await service.status.get("local", "twin", "key")).toMatchObject({ kind: "key", state: "ok", lastVersion: keyVersion });
    expect((await secrets.getSecret("twin")).properties.version).toBe(secretVersion);
  });

  it("reads a key's status row written under its bare name before, and moves it to the key's own row", async () => {
    const legacy = { partitionKey: "local", rowKey: "old-key", vault: "local", name: "old-key", kind: "key", state: "failing", attempts: 2 };
    await service.status.table.createEntity(legacy);
    expect(await service.status.get("local", "old-key", "key")).toMatchObject({ kind: "key", state: "failing", attempts: 2 });
    expect(await service.status.get("local", "old-key", "secret")).toBeUndefined();
    await service.status.put({ vault: "local", name: "old-key", kind: "key", state: "ok", attempts: 0 });
    expect((await service.status.list("local")).filter((s) => s.name === "old-key")).toEqual([expect.objectContaining({ kind: "key", state: "ok" })]);
  });
});

describe("revoke after the grace period", () => {
  const TAGS = { "kvguard-rotator": "random", "kvguard-grace-period": "PT2H" };

  it("disables every previous version once its grace period has passed, and records it", async () => {
    const secrets = kvguardSecrets(stack);
    const v1 = (await secrets.setSecret("revoked", "initial-revoked-Hy6t", { tags: TAGS })).properties.version!;
    const v2 = (await service.rotateNow("local", "revoked")).version!;
    stack.tv.kv.clock.advance(3600);
    const v3 = (await service.rotateNow("local", "revoked")).version!;
    expect(pendingRevokes(await service.status.get("local", "revoked", "secret")).map((r) => r.version)).toEqual([v1, v2]);

    // Within the grace period, through the CLI on the emulator's clock: nothing is revoked.
    let swept = await capture.cli(stack, ["sweep", "--json"]);
    expect(swept.code, swept.stderr).toBe(0);
    expect(JSON.parse(swept.stdout.trim().split("\n").at(-1)!)).toMatchObject({ revokes: 0 });
    expect((await secrets.getSecret("revoked", { version: v1 })).value).toBe("initial-revoked-Hy6t");

    // v1's grace has passed, v2's has not.
    stack.tv.kv.clock.advance(1.5 * 3600);
    swept = await capture.cli(stack, ["sweep", "--json"]);
    expect(JSON.parse(swept.stdout.trim().split("\n").at(-1)!)).toMatchObject({ revokes: 1 });
    expect((await rejection(secrets.getSecret("revoked", { version: v1 }))).statusCode).toBe(403);
    await secrets.getSecret("revoked", { version: v2 });
    expect(pendingRevokes(await service.status.get("local", "revoked", "secret")).map((r) => r.version)).toEqual([v2]);

    stack.tv.kv.clock.advance(3600);
    await capture.cli(stack, ["sweep"]);
    expect((await rejection(secrets.getSecret("revoked", { version: v2 }))).statusCode).toBe(403);
    // The live version is untouched; the status has nothing left to revoke; history records both.
    const live = await secrets.getSecret("revoked");
    expect(live.properties.version).toBe(v3);
    capture.values.add(live.value!);
    expect(pendingRevokes(await service.status.get("local", "revoked", "secret"))).toEqual([]);
    const revokes = (await service.history.list({ vault: "local", name: "revoked" })).filter((r) => r.step === "revoke");
    expect(revokes.map((r) => [r.outcome, r.previousVersion]).sort()).toEqual(
      [
        ["ok", v1],
        ["ok", v2],
      ].sort(),
    );
    expect((await versionsOf(secrets, "revoked")).filter((v) => v.enabled).map((v) => v.version)).toEqual([v3]);
    // Another sweep finds nothing more to revoke.
    swept = await capture.cli(stack, ["sweep", "--json"]);
    expect(JSON.parse(swept.stdout.trim().split("\n").at(-1)!)).toMatchObject({ revokes: 0 });
  });

  it("shows no secret value in any output, history or status row", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
