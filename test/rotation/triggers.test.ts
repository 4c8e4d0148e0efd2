/**
 * @module The rotation triggers through the function handlers, called as the host calls them (real
 * `InvocationContext` and `HttpRequest`): timer, Event Grid and HTTP on the same secret at once rotate it once;
 * duplicate, late, out-of-order, foreign and malformed events are rejected or ignored with a reason and
 * rotate nothing; malformed queue messages are recorded, not lost.
 */
import { HttpRequest, HttpResponse, type EventGridEvent, type HttpResponseInit, type Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onVaultEventHandler } from "../../src/functions/onVaultEvent.js";
import { rotateNowHandler } from "../../src/functions/rotateNow.js";
import { rotationPoisonHandler } from "../../src/functions/rotationPoison.js";
import { useApp } from "../../src/app/index.js";
import { rotationSweepHandler } from "../../src/functions/rotationSweep.js";
import { rotationWorkerHandler } from "../../src/functions/rotationWorker.js";
import type { RotationService } from "../../src/rotation/service.js";
import { drainQueue } from "../../src/state/queueWorker.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { appFor, Capture, expectNoSecretValues, kvguardSecrets, serviceFor, vaultEvent, versionsOf } from "../helpers/rotation.js";
import { DAY_MS } from "../../src/common/duration.js";

const TAGS = { "kvguard-rotator": "random", "kvguard-options": "length=24" };

let stack: LocalStack;
let service: RotationService;
const capture = new Capture();

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: new Date().toISOString(), next: new Date().toISOString(), lastUpdated: new Date().toISOString() },
};

function asEvent(body: unknown): EventGridEvent {
  return body as EventGridEvent;
}

/** Runs the queue through the worker handler until it is empty, as the host would (messages decoded). */
async function drain(): Promise<{ succeeded: number; failed: number }> {
  return drainQueue(service.queue, (m) => rotationWorkerHandler(JSON.parse(m.text) as unknown, capture.context("rotationWorker")), {
    concurrency: 8,
    visibilityTimeoutSeconds: 60,
    poison: service.poison,
    onError: (error) => capture.error("rotationWorker", error),
  });
}

async function rotateNow(vault: string, name: string, kind?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const request = new HttpRequest({
    method: "POST",
    url: `http://localhost:7071/api/rotate/${vault}/${name}${kind ? `?kind=${kind}` : ""}`,
    params: { vault, name },
    ...(kind ? { query: { kind } } : {}),
  });
  const result: HttpResponseInit = await rotateNowHandler(request, capture.context("rotateNow"));
  const response = new HttpResponse(result);
  const body = (await response.json()) as Record<string, unknown>;
  capture.add("rotateNow response", JSON.stringify(body));
  return { status: response.status, body };
}

async function seed(name: string, expiresInDays = 10): Promise<string> {
  const secret = await kvguardSecrets(stack).setSecret(name, `initial-${name}-Kp4w`, {
    tags: TAGS,
    expiresOn: new Date(stack.tv.kv.clock.nowMs() + expiresInDays * DAY_MS),
  });
  return secret.properties.version!;
}

async function finishes(name: string): Promise<number> {
  return (await service.history.list({ vault: "local", name })).filter((r) => r.step === "finish" && r.outcome === "ok").length;
}

async function queued(): Promise<number> {
  return (await service.queue.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.length;
}

beforeAll(async () => {
  stack = await startLocalStack();
  const app = appFor(stack, capture);
  useApp(app);
  service = await app.rotation();
});
afterAll(async () => {
  useApp(undefined);
  await stack.stop();
});

describe("timer, event and HTTP at once", () => {
  it("rotate the same secret exactly once", async () => {
    const v1 = await seed("busy-secret");
    const event = vaultEvent(stack, { id: "evt-busy-1", name: "busy-secret", version: v1 });
    const [, , http] = await Promise.all([
      rotationSweepHandler(timer, capture.context("rotationSweep")).then(drain),
      onVaultEventHandler(asEvent(event), capture.context("onVaultEvent")).then(drain),
      rotateNow("local", "busy-secret"),
    ]);
    await drain();
    expect(http.status).toBe(200);
    expect(["rotated", "already-rotated"]).toContain(http.body.outcome);
    const secrets = kvguardSecrets(stack);
    expect(await versionsOf(secrets, "busy-secret")).toHaveLength(2);
    expect(await finishes("busy-secret")).toBe(1);
    const live = await secrets.getSecret("busy-secret");
    expect(live.properties.tags?.["kvguard-previous-version"]).toBe(v1);
    // The event or HTTP trigger that lost says why it did nothing (a losing sweep job finds it not due).
    const rows = await service.history.list({ vault: "local", name: "busy-secret" });
    expect(rows.filter((r) => r.step === "check" && r.outcome === "skipped" && r.message.startsWith("already rotated")).length).toBeGreaterThanOrEqual(1);
    expect(await queued()).toBe(0);
  });

  it("a second sweep finds nothing due once the secret is rotated", async () => {
    await rotationSweepHandler(timer, capture.context("rotationSweep"));
    expect(await queued()).toBe(0);
    expect(await versionsOf(kvguardSecrets(stack), "busy-secret")).toHaveLength(2);
  });
});

describe("Key Vault events", () => {
  it("a duplicate event id is handled once", async () => {
    const v1 = await seed("evt-dup");
    const event = vaultEvent(stack, { id: "evt-dup-1", name: "evt-dup", version: v1 });
    const first = await service.acceptEvents(event);
    const again = await service.acceptEvents(event);
    await onVaultEventHandler(asEvent(event), capture.context("onVaultEvent"));
    expect(first).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(again).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });
    expect(capture.texts.some((t) => t.where.startsWith("onVaultEvent") && t.text.includes("evt-dup-1: already handled"))).toBe(true);
    expect(await queued()).toBe(1);
    await drain();
    expect(await versionsOf(kvguardSecrets(stack), "evt-dup")).toHaveLength(2);
    expect(await finishes("evt-dup")).toBe(1);
  });

  it("a new event id for a version already handled is a duplicate (Expired after NearExpiry)", async () => {
    const v1 = (await versionsOf(kvguardSecrets(stack), "evt-dup")).find((v) => !v.tags?.["kvguard-rotation-id"])!.version!;
    const report = await service.acceptEvents(vaultEvent(stack, { id: "evt-dup-2", name: "evt-dup", version: v1, type: "Microsoft.KeyVault.SecretExpired" }));
    expect(report).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await queued()).toBe(0);
  });

  it("a late event for an older version rotates nothing, and history says why", async () => {
    const v1 = await seed("evt-late");
    const rotated = await rotateNow("local", "evt-late");
    expect(rotated.body.outcome).toBe("rotated");
    const report = await service.acceptEvents(vaultEvent(stack, { id: "evt-late-1", name: "evt-late", version: v1 }));
    expect(report.accepted).toBe(1);
    await drain();
    expect(await versionsOf(kvguardSecrets(stack), "evt-late")).toHaveLength(2);
    const rows = await service.history.list({ vault: "local", name: "evt-late" });
    const skipped = rows.find((r) => r.trigger === "event");
    expect(skipped).toMatchObject({ step: "check", outcome: "skipped" });
    expect(skipped!.message).toContain(`the trigger saw version ${v1}`);
  });

  it("out-of-order events (the newer version's first, then the older one's) rotate nothing", async () => {
    const v1 = await seed("evt-order");
    const rotated = await rotateNow("local", "evt-order");
    const v2 = rotated.body.version as string;
    const newer = await service.acceptEvents(vaultEvent(stack, { id: "evt-order-2", name: "evt-order", version: v2 }));
    const older = await service.acceptEvents(vaultEvent(stack, { id: "evt-order-1", name: "evt-order", version: v1 }));
    expect(newer.accepted + older.accepted).toBe(2);
    await drain();
    expect(await versionsOf(kvguardSecrets(stack), "evt-order")).toHaveLength(2);
    expect(await finishes("evt-order")).toBe(1);
  });

  it("an event that could not be enqueued is not marked seen: Event Grid's redelivery is accepted", async () => {
    const v1 = await seed("evt-retry");
    const event = vaultEvent(stack, { id: "evt-retry-1", name: "evt-retry", version: v1 });
    await service.queue.delete();
    const failed = await onVaultEventHandler(asEvent(event), capture.context("onVaultEvent")).then(
      () => undefined,
      (e: unknown) => e,
    );
    capture.error("onVaultEvent", failed);
    // The handler fails, so Event Grid redelivers it.
    expect(failed).toBeInstanceOf(Error);
    await service.queue.create();
    expect(await service.acceptEvents(event)).toMatchObject({ accepted: 1, duplicates: 0 });
    await drain();
    expect(await versionsOf(kvguardSecrets(stack), "evt-retry")).toHaveLength(2);
  });

  it("an event from a vault kvguard does not manage is rejected", async () => {
    const v1 = await seed("evt-foreign");
    const event = vaultEvent(stack, { id: "evt-foreign-1", name: "evt-foreign", version: v1, vault: "elsewhere" });
    const report = await service.acceptEvents(event);
    expect(report.rejected).toEqual([{ id: "evt-foreign-1", reason: "vault elsewhere is not one kvguard manages" }]);
    await onVaultEventHandler(asEvent(event), capture.context("onVaultEvent"));
    expect(capture.texts.some((t) => t.where === "onVaultEvent warning" && t.text.includes("evt-foreign-1 rejected: vault elsewhere"))).toBe(true);
    expect(await queued()).toBe(0);
  });

  it("malformed events are rejected with the field at fault; other event types are ignored", async () => {
    const v1 = await seed("evt-bad");
    const good = vaultEvent(stack, { id: "x", name: "evt-bad", version: v1 });
    const { Version: _v, ...noVersion } = good.data;
    const bad: [string, unknown, RegExp][] = [
      ["missing data field", { ...good, id: "bad-1", data: noVersion }, /event data: Version/],
      ["wrong type", { ...good, id: "bad-2", data: { ...good.data, Version: 42 } }, /event data: Version/],
      ["bad object name", { ...good, id: "bad-3", data: { ...good.data, ObjectName: "no spaces allowed" } }, /ObjectName: is not a Key Vault object name/],
      ["topic not a vault", { ...good, id: "bad-4", topic: "/subscriptions/x/resourceGroups/y" }, /is not a Key Vault resource id/],
      ["no data", { ...good, id: "bad-5", data: undefined }, /event data/],
      ["no id", { ...good, id: undefined }, /not an Event Grid or CloudEvents event: id/],
      ["a string", "Microsoft.KeyVault.SecretNearExpiry", /not an Event Grid or CloudEvents event/],
      ["a number", 42, /not an Event Grid or CloudEvents event/],
      ["null", null, /not an Event Grid or CloudEvents event/],
    ];
    for (const [what, event, reason] of bad) {
      const report = await service.acceptEvents(event);
      expect(report.accepted, what).toBe(0);
      expect(report.rejected, what).toHaveLength(1);
      expect(report.rejected[0]!.reason, what).toMatch(reason);
    }
    // Through the handler: acknowledged (no throw, Event Grid must not retry), with a warning naming the reason.
    await onVaultEventHandler(asEvent({ ...good, id: "bad-6", data: { ...good.data, Version: 42 } }), capture.context("onVaultEvent"));
    expect(capture.texts.some((t) => t.where === "onVaultEvent warning" && /bad-6 rejected: event data: Version/.test(t.text))).toBe(true);

    const other = await service.acceptEvents({ ...good, id: "bad-7", eventType: "Microsoft.KeyVault.SecretNewVersionCreated" });
    expect(other).toMatchObject({ accepted: 0, ignored: 1, rejected: [] });
    const batch = await service.acceptEvents([{ ...good, id: "bad-8", data: {} }, "nonsense"]);
    expect(batch.rejected).toHaveLength(2);
    expect(await queued()).toBe(0);
    expect(await versionsOf(kvguardSecrets(stack), "evt-bad")).toHaveLength(1);
  });
});

describe("resumed rotations", () => {
  it("a resume job for a rotation that another run has finished meanwhile is a no-op", async () => {
    const v1 = await seed("resume-race", 60);
    // A run stops after "set" (an in-process stand-in for a crash): its pending credential stays open.
    const stopping = await serviceFor(stack, capture, {
      afterStep: (step) => {
        if (step === "set") throw new Error("stopped after set");
      },
    });
    await expect(stopping.rotateNow("local", "resume-race")).rejects.toThrow("stopped after set");
    const report = await service.sweep();
    expect(report.resumed).toBe(1);
    // Before the queued resume job runs, an on-demand run finishes the rotation.
    expect((await rotateNow("local", "resume-race")).body.outcome).toBe("rotated");
    await drain();
    const secrets = kvguardSecrets(stack);
    expect(await versionsOf(secrets, "resume-race")).toHaveLength(2);
    expect((await secrets.getSecret("resume-race")).properties.tags?.["kvguard-previous-version"]).toBe(v1);
    const rows = await service.history.list({ vault: "local", name: "resume-race" });
    expect(rows.find((r) => r.trigger === "resume")).toMatchObject({ step: "check", outcome: "skipped" });
  });
});

describe("HTTP and queue edges", () => {
  it("rotateNow answers 404 for an unknown vault, secret or certificate and 400 for a bad kind", async () => {
    expect((await rotateNow("elsewhere", "x")).status).toBe(404);
    const missing = await rotateNow("local", "no-such-secret");
    expect(missing.status).toBe(404);
    expect(String(missing.body.error)).toContain("does not exist");
    expect((await rotateNow("local", "x", "certificate")).status).toBe(404);
    expect((await rotateNow("local", "x", "blob")).status).toBe(400);
  });

  it("a malformed queue message is recorded in history and dropped; a poisoned job is recorded", async () => {
    await rotationWorkerHandler("this is not a job", capture.context("rotationWorker"));
    await rotationWorkerHandler(
      { v: 1, kind: "secret", vault: "local", name: "bad name", trigger: "schedule", requestedAt: new Date().toISOString() },
      capture.context("rotationWorker"),
    );
    await rotationPoisonHandler(
      { v: 1, kind: "secret", vault: "local", name: "evt-bad", trigger: "schedule", requestedAt: new Date().toISOString() },
      capture.context("rotationPoison"),
    );
    const rejected = await service.history.list({ vault: "unknown", name: "message" });
    expect(rejected.map((r) => r.message).join("\n")).toMatch(/not JSON/);
    expect(rejected.map((r) => r.message).join("\n")).toMatch(/name: is not a Key Vault object name/);
    const poisoned = await service.history.list({ vault: "local", name: "evt-bad" });
    expect(poisoned.some((r) => r.step === "reject" && r.message.includes("gave up after repeated failures"))).toBe(true);
    expect(capture.texts.some((t) => t.where === "rotationWorker warning" && t.text.includes("rejected"))).toBe(true);
  });

  it("shows no secret value in any log, response, history or status row", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
