/**
 * @module Event Grid's redelivery of an event whose first delivery failed half-way: the state storage fails
 * (a fault proxy in front of Azurite) while the event is being recorded, or after it was recorded and before
 * its job was enqueued. The handler fails, so Event Grid redelivers; the redelivery must enqueue the job
 * exactly once, and a true duplicate after a full success must still do nothing.
 */
import type { EventGridEvent } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onVaultEventHandler } from "../../src/functions/onVaultEvent.js";
import { createApp, useApp } from "../../src/app/index.js";
import type { RotationService } from "../../src/rotation/service.js";
import { drainQueue } from "../../src/state/queueWorker.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, kvguardSecrets, vaultEvent, versionsOf } from "../helpers/rotation.js";
import { StorageFaultProxy } from "../helpers/storageFaultProxy.js";
import { DAY_MS } from "../../src/common/duration.js";

const TAGS = { "kvguard-rotator": "random", "kvguard-options": "length=24" };
/** Requests that write the event's dedupe record (one row per request, or both in a transaction). */
const RECORD = { method: "POST", path: /\/(kvguardevents|\$batch)\b/, body: /version\|/ };
const ENQUEUE = { method: "POST", path: /\/kvguard-rotations\/messages/ };
const FORGET = { method: "DELETE", path: /\/kvguardevents\(/ };

let stack: LocalStack;
let proxy: StorageFaultProxy;
let service: RotationService;
const capture = new Capture();

beforeAll(async () => {
  stack = await startLocalStack();
  proxy = await StorageFaultProxy.start(stack.azurite);
  const env = { ...stack.env, AzureWebJobsStorage: proxy.connectionString };
  const app = createApp(env, { clock: { nowMs: () => stack.tv.kv.clock.nowMs() }, log: capture.log });
  service = await app.rotation();
  useApp(app);
});
afterAll(async () => {
  await proxy?.close();
  await stack?.stop();
  useApp(undefined);
});

async function seed(name: string): Promise<string> {
  const secret = await kvguardSecrets(stack).setSecret(name, `initial-${name}-Kp4w`, {
    tags: TAGS,
    expiresOn: new Date(stack.tv.kv.clock.nowMs() + 10 * DAY_MS),
  });
  return secret.properties.version!;
}

/** One delivery through the function, as the host makes it: "ok", or the error that makes Event Grid retry. */
async function deliver(event: unknown): Promise<string> {
  return onVaultEventHandler(event as EventGridEvent, capture.context("onVaultEvent")).then(
    () => "ok",
    (error: unknown) => `failed: ${(error as Error).message}`,
  );
}

async function queuedJobs(): Promise<{ name: string; trigger: string; eventId?: string }[]> {
  const peeked = await service.queue.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map(
    (m) => JSON.parse(Buffer.from(m.messageText, "base64").toString("utf8")) as { name: string; trigger: string; eventId?: string },
  );
}

async function drain(): Promise<void> {
  await drainQueue(service.queue, (m) => service.processMessage(m.text).then(() => undefined), {
    concurrency: 4,
    visibilityTimeoutSeconds: 60,
    poison: service.poison,
  });
}

async function finishes(name: string): Promise<number> {
  return (await service.history.list({ vault: "local", name })).filter((r) => r.step === "finish" && r.outcome === "ok").length;
}

describe("a redelivered event whose first delivery failed half-way", () => {
  it("recording the event failed half-way: the redelivery enqueues the job exactly once", async () => {
    const v1 = await seed("redeliver-record");
    const event = vaultEvent(stack, { id: "evt-redeliver-record", name: "redeliver-record", version: v1 });
    const failed = proxy.fail({ ...RECORD, status: 403, count: 1 });

    expect(await deliver(event)).toMatch(/^failed: /);
    expect(failed()).toBe(1);
    expect(await queuedJobs()).toEqual([]);

    expect(await deliver(event)).toBe("ok");
    expect(await queuedJobs()).toEqual([expect.objectContaining({ name: "redeliver-record", trigger: "event", eventId: "evt-redeliver-record" })]);
    await drain();
    expect(await versionsOf(kvguardSecrets(stack), "redeliver-record")).toHaveLength(2);
    expect(await finishes("redeliver-record")).toBe(1);

    // A true duplicate after the full success does nothing.
    expect(await deliver(event)).toBe("ok");
    expect(await queuedJobs()).toEqual([]);
    expect(capture.texts.filter((t) => t.text === "event evt-redeliver-record: already handled")).toHaveLength(1);
  });

  it("recorded, then the job could not be enqueued (nor the record undone): the redelivery enqueues it exactly once", async () => {
    const v1 = await seed("redeliver-enqueue");
    const event = vaultEvent(stack, { id: "evt-redeliver-enqueue", name: "redeliver-enqueue", version: v1 });
    // The state account drops out after the record: the enqueue fails, and so would any cleanup.
    const enqueueFailed = proxy.fail({ ...ENQUEUE, status: 403, count: 1 });
    proxy.fail({ ...FORGET, status: 403, count: 2 });

    expect(await deliver(event)).toMatch(/^failed: /);
    expect(enqueueFailed()).toBe(1);
    expect(await queuedJobs()).toEqual([]);

    expect(await deliver(event)).toBe("ok");
    expect(await queuedJobs()).toEqual([expect.objectContaining({ name: "redeliver-enqueue", eventId: "evt-redeliver-enqueue" })]);
    // Another event for the same version (Expired after NearExpiry) is a duplicate of the one enqueued.
    const expired = vaultEvent(stack, { id: "evt-redeliver-expired", name: "redeliver-enqueue", version: v1, type: "Microsoft.KeyVault.SecretExpired" });
    expect(await deliver(expired)).toBe("ok");
    expect(await deliver(event)).toBe("ok");
    expect(await queuedJobs()).toHaveLength(1);
    await drain();
    expect(await versionsOf(kvguardSecrets(stack), "redeliver-enqueue")).toHaveLength(2);
    expect(await finishes("redeliver-enqueue")).toBe(1);
  });

  it("records event ids that table keys could not hold (/, #, ?, \\ and long ones), and still knows their duplicates", async () => {
    const v1 = await seed("odd-event-id");
    const id = `evt/with#odd?chars\\${"x".repeat(600)}`;
    const event = vaultEvent(stack, { id, name: "odd-event-id", version: v1 });
    expect(await deliver(event)).toBe("ok");
    expect(await deliver(event)).toBe("ok");
    expect(await queuedJobs()).toHaveLength(1);
    await drain();
    expect(await finishes("odd-event-id")).toBe(1);
  });
});
