/**
 * @module Key Vault failing under a rotation: the emulator's fault injection (`/management/faults`) answers
 * with Key Vault's 503 and 429 bodies, and its throttle with tight limits. Short storms are ridden out by the
 * SDK's retries; long ones fail the rotation clearly (history, status with the error and the backoff) with
 * nothing lost: the pending credential stays open and the next run resumes it to exactly one new version.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { createVaultClients } from "../../src/azure/keyVaultClients.js";
import type { RotationService } from "../../src/rotation/service.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { rejection } from "../helpers/rejection.js";
import { auditRecords, Capture, expectNoSecretValues, kvguardSecrets, openPendings, PENDING, serviceFor, versionsOf } from "../helpers/rotation.js";
import { admin } from "../helpers/webhookReceiver.js";

const TAGS = { "kvguard-rotator": "random", "kvguard-options": "length=30" };

let stack: LocalStack;
let service: RotationService;
const capture = new Capture();

async function seed(name: string): Promise<string> {
  const secret = await kvguardSecrets(stack).setSecret(name, `initial-${name}-Rt5x`, { tags: TAGS });
  return secret.properties.version!;
}

async function fault(body: Record<string, unknown>): Promise<void> {
  const response = await admin(stack.tv.kv, "POST", "/management/faults", body);
  expect(response.status).toBe(201);
}

/** Runs the service's sweep and then every queued job, as the worker would. */
async function sweepAndRun(svc: RotationService): Promise<void> {
  await svc.sweep();
  for (;;) {
    const { receivedMessageItems: items } = await svc.queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (items.length === 0) return;
    for (const item of items) {
      try {
        await svc.processMessage(item.messageText);
        await svc.queue.deleteMessage(item.messageId, item.popReceipt);
      } catch (error) {
        // As with the host: the message stays (invisible for a while) and is retried later.
        capture.error("worker", error);
      }
    }
  }
}

/**
 * A rotation against its own vault throttled at 6 requests per 10 s: it waits out whole windows, so it runs
 * in the background from the start, beside the other tests, and its test awaits it.
 */
async function rotateThrottled(): Promise<{ outcome: string; versions: number; throttled: number }> {
  const throttled = await startLocalStack({ throttle: { transactions: 6 } });
  try {
    const svc = await serviceFor(throttled, new Capture());
    const secrets = createVaultClients({
      vaultUrl: throttled.tv.url,
      credential: new DevTokenCredential({ name: "kvguard" }),
      ca: throttled.tv.kv.tls.caPem,
    }).secrets;
    await secrets.setSecret("tight", "initial-tight-Rt5x", { tags: TAGS });
    const { outcome } = await svc.rotateNow("local", "tight");
    const versions = (await versionsOf(secrets, "tight")).length;
    const records = await auditRecords(throttled);
    return { outcome, versions, throttled: records.filter((r) => r.properties.httpStatusCode === 429).length };
  } finally {
    await throttled.stop();
  }
}
let throttledRun: Promise<{ outcome: string; versions: number; throttled: number }>;

beforeAll(async () => {
  throttledRun = rotateThrottled();
  // Awaited by its test; this keeps a failure from being reported as unhandled before then.
  throttledRun.catch(() => undefined);
  stack = await startLocalStack();
  service = await serviceFor(stack, capture);
});
afterAll(() => stack.stop());

describe("the emulator's fault injection", () => {
  it("answers the next N matching requests with Key Vault's error body, then serves again", async () => {
    const secrets = kvguardSecrets(stack);
    await secrets.setSecret("probe", "probe-value-8842");
    await fault({ status: 503, count: 1, match: "GET /secrets/probe" });
    await fault({ status: 429, count: 1, match: "GET /secrets/probe", retryAfterSeconds: 7 });
    const unavailable = await rejection(secrets.getSecret("probe"));
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.code).toBe("ServiceUnavailable");
    const throttled = await rejection(secrets.getSecret("probe"));
    expect(throttled.statusCode).toBe(429);
    expect(throttled.code).toBe("Throttled");
    expect(throttled.response?.headers.get("retry-after")).toBe("7");
    expect((await secrets.getSecret("probe")).value).toBe("probe-value-8842");
    // Another method or path is not matched.
    await fault({ status: 503, count: 1, match: "PUT /secrets/probe$" });
    await secrets.getSecret("probe");
    await secrets.setSecret("probe-2", "probe-value-2-8842");
    await rejection(secrets.setSecret("probe", "probe-value-3-8842"));
    const listed = await admin<{ status: number; remaining: number; served: number }[]>(stack.tv.kv, "GET", "/management/faults");
    expect(listed.body.map((f) => [f.status, f.served, f.remaining])).toEqual([
      [503, 1, 0],
      [429, 1, 0],
      [503, 1, 0],
    ]);
    expect((await admin<{ cleared: number }>(stack.tv.kv, "DELETE", "/management/faults")).body).toEqual({ cleared: 3 });
  });

  it("audits the failed requests", async () => {
    const records = await auditRecords(stack);
    const failed = records.filter((r) => r.properties.requestUri.includes("/secrets/probe") && r.properties.httpStatusCode >= 429);
    expect(failed.map((r) => [r.operationName, r.properties.httpStatusCode])).toEqual([
      ["SecretGet", 503],
      ["SecretGet", 429],
      ["SecretSet", 503],
    ]);
  });

  it("refuses a bad fault with 400", async () => {
    for (const body of [{ status: 200, count: 1 }, { status: 503, count: 0 }, { status: 503, count: 1, match: "FETCH secrets" }, { status: 503 }]) {
      expect((await admin(stack.tv.kv, "POST", "/management/faults", body)).status).toBe(400);
    }
    expect((await admin<unknown[]>(stack.tv.kv, "GET", "/management/faults")).body).toEqual([]);
  });
});

describe("rotations under 429 and 503 storms", () => {
  it("ride out short storms through the SDK's retries", async () => {
    await Promise.all([seed("storm-503"), seed("storm-429")]);
    // Every step's writes fail twice: the pending write, its marks, the new live version, the close.
    await fault({ status: 503, count: 2, match: "PUT /secrets/storm-503" });
    await fault({ status: 503, count: 2, match: "PATCH /secrets/storm-503" });
    await fault({ status: 429, count: 2, match: "PUT /secrets/storm-429", retryAfterSeconds: 1 });
    await fault({ status: 429, count: 2, match: "GET /secrets/storm-429", retryAfterSeconds: 1 });
    const [a, b] = await Promise.all([service.rotateNow("local", "storm-503"), service.rotateNow("local", "storm-429")]);
    expect(a.outcome).toBe("rotated");
    expect(b.outcome).toBe("rotated");
    const served = (await admin<{ served: number }[]>(stack.tv.kv, "GET", "/management/faults")).body.map((f) => f.served);
    expect(served).toEqual([2, 2, 2, 2]);
    await admin(stack.tv.kv, "DELETE", "/management/faults");
    const secrets = kvguardSecrets(stack);
    for (const name of ["storm-503", "storm-429"]) {
      expect(await versionsOf(secrets, name)).toHaveLength(2);
      expect(await service.status.get("local", name, "secret")).toMatchObject({ state: "ok", attempts: 0 });
    }
    expect(await openPendings(secrets)).toEqual([]);
  });

  it("fail clearly when a storm outlasts the retries, and resume on the next run with nothing lost", async () => {
    const secrets = kvguardSecrets(stack);
    const cases = [
      // At "set": marking the pending credential fails; it stays open at step "created".
      { name: "long-storm-set", match: "PATCH /secrets/long-storm-set--kvguard-pending", failedStep: "set", pendingStep: "created" },
      // At finish: writing the new live version (that exact path, not the pending one) fails.
      { name: "long-storm-finish", match: "PUT /secrets/long-storm-finish$", failedStep: undefined, pendingStep: "tested" },
    ];
    const initial = await Promise.all(cases.map((c) => seed(c.name)));
    for (const c of cases) await fault({ status: 503, count: 100, match: c.match });
    const errors = await Promise.all(
      cases.map((c) =>
        service.rotateNow("local", c.name).then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    );
    for (const [i, c] of cases.entries()) {
      const error = errors[i] as Error & { statusCode?: number };
      capture.error("rotateNow", error);
      expect(error?.statusCode, c.name).toBe(503);
      expect(error.message).toMatch(/temporarily unavailable/);
      // Nothing lost: the live secret is untouched, the pending credential is open where the run stopped.
      const live = await secrets.getSecret(c.name);
      expect(live.properties.version).toBe(initial[i]);
      const pending = await secrets.getSecret(`${c.name}${PENDING}`);
      capture.values.add(pending.value!);
      expect(pending.properties.tags).toMatchObject({ "kvguard-state": "open", "kvguard-step": c.pendingStep });
      // The status shows the error and when the next attempt may run.
      const status = await service.status.get("local", c.name, "secret");
      expect(status).toMatchObject({ state: "failing", attempts: 1 });
      expect(status!.lastError).toMatch(/temporarily unavailable/);
      const backoff = Date.parse(status!.nextAttemptAt!) - stack.tv.kv.clock.nowMs();
      expect(backoff).toBeGreaterThan(30_000);
      expect(backoff).toBeLessThanOrEqual(60_000);
      if (c.failedStep) {
        const rows = await service.history.list({ vault: "local", name: c.name });
        expect(rows.find((r) => r.outcome === "failed")).toMatchObject({ step: c.failedStep });
      }
    }
    const shown = await capture.cli(stack, ["status", "local"]);
    expect(shown.stdout).toMatch(/long-storm-set {2}failing .*last error: .*temporarily unavailable/);

    // The storm passes; the next sweep resumes both (open pending credentials are resumed whatever the backoff).
    await admin(stack.tv.kv, "DELETE", "/management/faults");
    const pendingValues = await Promise.all(cases.map(async (c) => (await secrets.getSecret(`${c.name}${PENDING}`)).value));
    await sweepAndRun(service);
    for (const [i, c] of cases.entries()) {
      const live = await secrets.getSecret(c.name);
      expect(live.value, c.name).toBe(pendingValues[i]);
      expect(await versionsOf(secrets, c.name)).toHaveLength(2);
      expect(await service.status.get("local", c.name, "secret")).toMatchObject({ state: "ok", attempts: 0 });
      const ids = new Set((await service.history.list({ vault: "local", name: c.name })).map((r) => r.rotationId));
      expect(ids.size).toBe(1);
    }
    expect(await openPendings(secrets)).toEqual([]);
  });

  it("a failure before anything is persisted backs off, and the sweep retries once the backoff has passed", async () => {
    const secrets = kvguardSecrets(stack);
    await kvguardSecrets(stack).setSecret("early-storm", "initial-early-storm-Rt5x", { tags: { ...TAGS, "kvguard-rotate-every": "P7D" } });
    stack.tv.kv.clock.advance(8 * 86_400);
    await fault({ status: 503, count: 100, match: "PUT /secrets/early-storm--kvguard-pending" });
    await sweepAndRun(service);
    expect(await versionsOf(secrets, "early-storm")).toHaveLength(1);
    expect(await service.status.get("local", "early-storm", "secret")).toMatchObject({ state: "failing", attempts: 1 });
    await admin(stack.tv.kv, "DELETE", "/management/faults");
    // Still backing off: the sweep leaves it alone.
    const report = await service.sweep();
    expect(report.backingOff).toBe(1);
    expect(report.enqueued).toBe(0);
    stack.tv.kv.clock.advance(61);
    await sweepAndRun(service);
    expect(await versionsOf(secrets, "early-storm")).toHaveLength(2);
    expect(await service.status.get("local", "early-storm", "secret")).toMatchObject({ state: "ok", attempts: 0 });
  });

  it("a vault throttled at a tight limit still rotates, through Retry-After", async () => {
    const result = await throttledRun;
    expect(result.outcome).toBe("rotated");
    expect(result.versions).toBe(2);
    // The limit was reached: Key Vault answered 429 and the SDK waited as told.
    expect(result.throttled).toBeGreaterThan(0);
  });

  it("shows no secret value in any error, log, history or status row", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
