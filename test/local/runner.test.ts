/**
 * @module The local Functions runner with the app's real function table, against a local Key Vault and
 * Azurite: a timer fires, queue messages are processed and a failing one is poisoned, the Event Grid webhook
 * answers the handshake and a near-expiry event ends in a rotated secret, HTTP functions answer at /api.
 */
import { QueueServiceClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionTable } from "../../src/functions/table.js";
import { startLocalRunner, type LocalRunner } from "../../dev/runner/runner.js";
import { encodeJob } from "../../src/rotation/job.js";
import { createApp, useApp, type App } from "../../src/app/index.js";
import { ROTATION_EVENT_TYPES } from "../../src/rotation/vaultEvents.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { waitUntil } from "../helpers/wait.js";
import { admin } from "../helpers/webhookReceiver.js";

const QUEUE = "kvguard-rotations";
const DAY = 86_400;

let stack: LocalStack;
let runner: LocalRunner;
const lines: string[] = [];
let app: App;

/** Re-checks `check` until it returns a value; a test that times out on it shows what the runner said. */
function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  return waitUntil(what, check, { seen: () => lines.join("\n") });
}

const secrets = () => stack.tv.clients({ name: "kvguard" }).secrets;

async function rotatedFrom(name: string, version: string | undefined): Promise<string | undefined> {
  const live = await secrets().getSecret(name);
  return live.properties.version !== version ? live.properties.version : undefined;
}

beforeAll(async () => {
  // The main runner's sweep never fires during the test; the timer test runs its own fast one.
  stack = await startLocalStack({ settings: { KVGUARD_ROTATION_SCHEDULE: "0 0 0 1 1 *" } });
  const kv = stack.tv.kv;
  app = createApp(stack.env, { clock: { nowMs: () => kv.clock.nowMs() }, log: (l) => lines.push(l), lockWaitMs: 2000 });
  useApp(app);
  runner = await startLocalRunner({
    table: functionTable,
    env: stack.env,
    port: 0,
    queues: { visibilityTimeoutSeconds: 0, maxPollingIntervalMs: 250 },
    write: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await runner?.stop();
  await stack?.stop();
  useApp(undefined);
});

describe("local runner", () => {
  it("runs every function of the table, each where the host would", () => {
    expect(runner.failed).toEqual([]);
    expect(runner.functions.map((f) => f.name).sort()).toEqual(functionTable.map((d) => d.name).sort());
    const trigger = (name: string) => runner.functions.find((f) => f.name === name)?.trigger;
    expect(trigger("rotationSweep")).toBe("schedule 0 0 0 1 1 * (UTC)");
    expect(trigger("rotationWorker")).toBe(`queue ${QUEUE}`);
    expect(trigger("rotationPoison")).toBe(`queue ${QUEUE}-poison`);
    expect(trigger("onVaultEvent")).toBe(`POST ${runner.baseUrl}/runtime/webhooks/eventgrid?functionName=onVaultEvent`);
    expect(trigger("rotateNow")).toBe(`POST ${runner.baseUrl}/api/rotate/{vault}/{name}`);
  });

  it("answers HTTP functions at /api/<route>: health, rotateNow with route parameters, 404 otherwise", async () => {
    const health = await fetch(`${runner.baseUrl}/api/health?code=anything`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", vaults: 1, discovery: false, local: true });

    const first = await secrets().setSecret("http-secret", "initial-http-value", { tags: { "kvguard-rotator": "random" } });
    const rotated = await fetch(`${runner.baseUrl}/api/rotate/local/http-secret?code=local`, { method: "POST" });
    expect(rotated.status).toBe(200);
    const body = (await rotated.json()) as { outcome: string; version: string };
    expect(body.outcome).toBe("rotated");
    expect(await rotatedFrom("http-secret", first.properties.version)).toBe(body.version);

    const missing = await fetch(`${runner.baseUrl}/api/rotate/local/no-such-secret`, { method: "POST" });
    expect(missing.status).toBe(404);
    expect((await fetch(`${runner.baseUrl}/api/rotate/local/http-secret`)).status).toBe(404); // GET: not a method of rotateNow
    expect((await fetch(`${runner.baseUrl}/api/nothing-here`)).status).toBe(404);
    expect(lines.some((l) => /^\d\d:\d\d:\d\d \[rotateNow\] rotate local\/http-secret: rotated$/.test(l))).toBe(true);
  });

  it("fires a timer on its schedule: the sweep enqueues a due secret and the queue worker rotates it", async () => {
    // Due now: it expires within the 30 days before expiry that the default policy rotates in.
    const first = await secrets().setSecret("scheduled-secret", "initial-scheduled-value", {
      tags: { "kvguard-rotator": "random" },
      expiresOn: new Date(stack.tv.kv.clock.nowMs() + 10 * DAY * 1000),
    });
    const timers = await startLocalRunner({
      table: functionTable.filter((d) => d.name === "rotationSweep"),
      env: { ...stack.env, KVGUARD_ROTATION_SCHEDULE: "*/1 * * * * *" },
      port: 0,
      write: (line) => lines.push(line),
    });
    try {
      expect(timers.functions).toEqual([{ name: "rotationSweep", kind: "timer", trigger: "schedule */1 * * * * * (UTC)" }]);
      await waitFor("the rotation of scheduled-secret", () => rotatedFrom("scheduled-secret", first.properties.version));
    } finally {
      await timers.stop();
    }
    expect(lines.some((l) => /\[rotationSweep\] sweep: \d+ secrets/.test(l))).toBe(true);
    const history = await (await app.rotation()).history.list({ vault: "local", name: "scheduled-secret" });
    expect(history.find((h) => h.step === "finish")?.trigger).toBe("schedule");
  });

  it("processes queue messages as the host does, and poisons one that keeps failing after maxDequeueCount tries", async () => {
    const queues = QueueServiceClient.fromConnectionString(stack.env.AzureWebJobsStorage!);
    const first = await secrets().setSecret("queued-secret", "initial-queued-value", { tags: { "kvguard-rotator": "random" } });
    const job = {
      v: 1 as const,
      kind: "secret" as const,
      vault: "local",
      name: "queued-secret",
      trigger: "manual" as const,
      requestedAt: new Date().toISOString(),
    };
    await queues.getQueueClient(QUEUE).sendMessage(encodeJob(job));
    await waitFor("the queued rotation", () => rotatedFrom("queued-secret", first.properties.version));

    // Not a job (nor base64): the worker gets the text, records why it is rejected, and the message is gone.
    await queues.getQueueClient(QUEUE).sendMessage("not a rotation job");
    await waitFor("the rejection", () => lines.find((l) => l.includes("[rotationWorker] warn rotation job: rejected: the message is not JSON")));

    // A vault kvguard does not manage: the worker throws on every try.
    await queues.getQueueClient(QUEUE).sendMessage(encodeJob({ ...job, vault: "nowhere", name: "lost-job" }));
    await waitFor("the poisoned job to be recorded", () => lines.find((l) => l.includes("[rotationPoison] ERROR rotation job gave up")));
    const tries = lines.filter((l) => l.includes("[rotationWorker] ERROR failed: vault nowhere is not one kvguard manages"));
    expect(tries).toHaveLength(5);
    expect(lines.some((l) => l.includes(`moved to ${QUEUE}-poison after 5 tries`))).toBe(true);
    const history = await (await app.rotation()).history.list({ vault: "nowhere", name: "lost-job" });
    expect(history[0]?.message).toMatch(/gave up after repeated failures/);
    expect((await queues.getQueueClient(`${QUEUE}-poison`).peekMessages()).peekedMessageItems).toHaveLength(0);
  });

  it("answers Event Grid at the host's webhook: the handshake, then near-expiry events end in a rotated secret and key", async () => {
    const subscription = await admin<{ name: string }>(stack.tv.kv, "POST", "/management/subscriptions", {
      name: "local-runner",
      endpoint: `${runner.webhookUrl("onVaultEvent")}&code=any-key-works-locally`,
      includedEventTypes: [...ROTATION_EVENT_TYPES],
    });
    expect(subscription.status).toBe(201);
    expect(lines.some((l) => l.includes("[onVaultEvent] answered Event Grid's subscription validation"))).toBe(true);

    const expiresOn = new Date(stack.tv.kv.clock.nowMs() + 40 * DAY * 1000);
    const secret = await secrets().setSecret("expiring-secret", "initial-expiring-value", { tags: { "kvguard-rotator": "random" }, expiresOn });
    const keys = stack.tv.clients({ name: "kvguard" }).keys;
    const key = await keys.createRsaKey("expiring-key", { tags: { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P90D" }, expiresOn });
    // 11 days on, both are 29 days from expiry: Key Vault raises SecretNearExpiry and KeyNearExpiry.
    expect((await admin(stack.tv.kv, "POST", "/management/clock/advance", { seconds: 11 * DAY })).status).toBe(200);
    await waitFor("the event-driven secret rotation", () => rotatedFrom("expiring-secret", secret.properties.version));
    await waitFor("the event-driven key rotation", async () => {
      const live = await keys.getKey("expiring-key");
      return live.properties.version !== key.properties.version ? live.properties.version : undefined;
    });
    const service = await app.rotation();
    for (const name of ["expiring-secret", "expiring-key"]) {
      const history = await service.history.list({ vault: "local", name });
      expect(history.find((h) => h.step === "finish")?.trigger).toBe("event");
    }
    expect(lines.filter((l) => /\[onVaultEvent\] event \S+: rotation job enqueued/.test(l)).length).toBeGreaterThanOrEqual(2);
  });

  it("answers the webhook's edge cases as the host's Event Grid extension does", async () => {
    const post = (query: string, type: string, body: string) =>
      fetch(`${runner.baseUrl}/runtime/webhooks/eventgrid?${query}`, {
        method: "POST",
        headers: { "aeg-event-type": type, "Content-Type": "application/json" },
        body,
      });
    const validation = await post("functionName=onVaultEvent", "SubscriptionValidation", JSON.stringify([{ data: { validationCode: "abc-123" } }]));
    expect(validation.status).toBe(200);
    expect(await validation.json()).toEqual({ validationResponse: "abc-123" });
    // A malformed event is the function's to reject: it logs why and acknowledges, as retrying cannot help.
    expect((await post("functionName=onVaultEvent", "Notification", JSON.stringify([{ id: "x" }]))).status).toBe(202);
    expect(lines.some((l) => /\[onVaultEvent\] warn event \S+ rejected: not an Event Grid or CloudEvents event/.test(l))).toBe(true);
    expect((await post("functionName=onVaultEvent", "Notification", "not json")).status).toBe(400);
    expect((await post("functionName=onVaultEvent", "Unsubscribe", "[]")).status).toBe(202);
    expect((await post("functionName=onVaultEvent", "Whatever", "[]")).status).toBe(400);
    expect((await post("functionName=noSuchFunction", "Notification", "[]")).status).toBe(404);
  });
});
