/**
 * @module Metrics and traces of rotations, read through the OpenTelemetry SDK's in-memory exporters: the
 * function handlers are called as the host calls them (real InvocationContext), jobs go through the real
 * queue on Azurite, the secrets live in the local Key Vault. One trace runs from each trigger (timer sweep,
 * Event Grid event, HTTP rotate-now) through the queue to the worker, its steps and the Key Vault SDK's calls;
 * the metrics carry only their declared, low-cardinality attributes.
 */
import { HttpRequest, type EventGridEvent, type Timer } from "@azure/functions";
import { SpanKind } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useApp, type App } from "../../src/app/index.js";
import { onVaultEventHandler } from "../../src/functions/onVaultEvent.js";
import { rotateNowHandler } from "../../src/functions/rotateNow.js";
import { rotationSweepHandler } from "../../src/functions/rotationSweep.js";
import { rotationWorkerHandler } from "../../src/functions/rotationWorker.js";
import { encodeJob } from "../../src/rotation/job.js";
import type { RotationService } from "../../src/rotation/service.js";
import { drainQueue } from "../../src/state/queueWorker.js";
import { METRICS, type MetricName } from "../../src/telemetry/metrics.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { appFor, Capture, kvguardSecrets, vaultEvent } from "../helpers/rotation.js";

const TAGS = { "kvguard-rotator": "random", "kvguard-options": "length=24" };
const DAY_MS = 86_400_000;
const NAMES = ["otel-sweep", "otel-event", "otel-http", "otel-bad-parent", "otel-unmanaged"];

let stack: LocalStack;
let app: App;
let service: RotationService;
const capture = new Capture();
const spans = new InMemorySpanExporter();
const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
// Exported on demand (forceFlush) only: the test reads what is there when it asks.
const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: new Date().toISOString(), next: new Date().toISOString(), lastUpdated: new Date().toISOString() },
};

function drain() {
  return drainQueue(service.queue, (m) => rotationWorkerHandler(JSON.parse(m.text) as unknown, capture.context("rotationWorker")), {
    concurrency: 4,
    visibilityTimeoutSeconds: 60,
    poison: service.poison,
    onError: (error) => capture.error("rotationWorker", error),
  });
}

async function seed(name: string, expiresInDays: number, tags: Record<string, string> = TAGS): Promise<string> {
  const secret = await kvguardSecrets(stack).setSecret(name, `initial-${name}-Kp4w`, {
    tags,
    expiresOn: new Date(stack.tv.kv.clock.nowMs() + expiresInDays * DAY_MS),
  });
  return secret.properties.version!;
}

const finished = () => spans.getFinishedSpans();
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** The job span of one object and every span of its trace. */
function traceOf(name: string): { job: ReadableSpan; trace: ReadableSpan[] } {
  const job = finished().find((s) => s.name === "kvguard.rotation" && s.attributes["kvguard.object"] === name);
  expect(job, `a kvguard.rotation span for ${name}`).toBeDefined();
  return { job: job!, trace: finished().filter((s) => s.spanContext().traceId === job!.spanContext().traceId) };
}

/** Whether `span` descends from `ancestor` within `trace`. */
function descends(span: ReadableSpan, ancestor: ReadableSpan, trace: ReadableSpan[]): boolean {
  let at: ReadableSpan | undefined = span;
  while (at) {
    const parent = parentOf(at);
    if (parent === ancestor.spanContext().spanId) return true;
    at = trace.find((s) => s.spanContext().spanId === parent);
  }
  return false;
}

async function collected(): Promise<ResourceMetrics> {
  metrics.reset();
  await reader.forceFlush();
  return metrics.getMetrics().at(-1)!;
}

function points(collection: ResourceMetrics, name: MetricName): { attributes: Record<string, unknown>; value: unknown }[] {
  const metric = collection.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value }));
}

beforeAll(async () => {
  stack = await startLocalStack();
  app = appFor(stack, capture, { telemetry: { metricReader: reader, spanExporter: spans } });
  useApp(app);
  service = await app.rotation();
});
afterAll(async () => {
  useApp(undefined);
  await app?.close();
  await stack?.stop();
});

describe("a trace follows one rotation", () => {
  it("from the timer sweep through the queue to the worker, its steps and its Key Vault calls", async () => {
    await seed("otel-sweep", 10);
    await seed("otel-unmanaged", 5, {});
    await rotationSweepHandler(timer, capture.context("rotationSweep"));
    expect(await drain()).toMatchObject({ succeeded: 1, failed: 0 });

    const { job, trace } = traceOf("otel-sweep");
    const sweep = trace.find((s) => s.name === "kvguard.sweep")!;
    const enqueue = trace.find((s) => s.name === "kvguard.enqueue" && s.attributes["kvguard.object"] === "otel-sweep")!;
    expect(sweep).toBeDefined();
    expect(parentOf(sweep)).toBeUndefined();
    expect(enqueue.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(enqueue)).toBe(sweep.spanContext().spanId);
    // The worker ran from the queue message: its span continues the enqueue's, carried as a traceparent.
    expect(job.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(job)).toBe(enqueue.spanContext().spanId);
    expect(job.attributes).toMatchObject({ "kvguard.rotator": "random", "kvguard.outcome": "rotated", "kvguard.job.trigger": "schedule" });
    for (const step of ["check", "set", "test"]) {
      const span = trace.find((s) => s.name === `kvguard.rotation.${step}`);
      expect(span, step).toBeDefined();
      expect(parentOf(span!)).toBe(job.spanContext().spanId);
    }
    // The Key Vault SDK's own spans (@azure/core-tracing) sit under the job: getSecret, setSecret and their HTTP calls;
    // the queue's send is under the enqueue.
    const sdk = trace.filter((s) => s.instrumentationScope.name.startsWith("@azure/") && descends(s, job, trace));
    expect(sdk.map((s) => s.name)).toEqual(expect.arrayContaining(["SecretClient.getSecret", "SecretClient.setSecret"]));
    expect(sdk.some((s) => s.kind === SpanKind.CLIENT && /^HTTP (GET|PUT|POST|PATCH)$/.test(s.name))).toBe(true);
    expect(trace.some((s) => s.name === "QueueClient-sendMessage" && descends(s, enqueue, trace))).toBe(true);
  });

  it("from a Key Vault event through the queue to the worker", async () => {
    const version = await seed("otel-event", 10);
    const event = vaultEvent(stack, { id: "evt-otel-1", name: "otel-event", version });
    await onVaultEventHandler(event as unknown as EventGridEvent, capture.context("onVaultEvent"));
    expect(await drain()).toMatchObject({ succeeded: 1, failed: 0 });
    const { job, trace } = traceOf("otel-event");
    const root = trace.find((s) => s.name === "kvguard.vault-events")!;
    expect(root).toBeDefined();
    const enqueue = trace.find((s) => s.name === "kvguard.enqueue")!;
    expect(parentOf(enqueue)).toBe(root.spanContext().spanId);
    expect(parentOf(job)).toBe(enqueue.spanContext().spanId);
    expect(job.attributes).toMatchObject({ "kvguard.outcome": "rotated", "kvguard.job.trigger": "event" });
  });

  it("from an HTTP rotate-now to the rotation it runs at once", async () => {
    await seed("otel-http", 200);
    const request = new HttpRequest({ method: "POST", url: "http://localhost:7071/api/rotate/local/otel-http", params: { vault: "local", name: "otel-http" } });
    const response = await rotateNowHandler(request, capture.context("rotateNow"));
    expect(response.status).toBe(200);
    const { job, trace } = traceOf("otel-http");
    const root = trace.find((s) => s.name === "kvguard.rotate-now")!;
    expect(parentOf(job)).toBe(root.spanContext().spanId);
    expect(job.attributes).toMatchObject({ "kvguard.outcome": "rotated", "kvguard.job.trigger": "manual" });
    expect(trace.some((s) => s.name === "SecretClient.setSecret" && descends(s, job, trace))).toBe(true);
  });

  it("a message whose traceparent does not parse still rotates, in a trace of its own", async () => {
    await seed("otel-bad-parent", 10);
    const job = {
      v: 1 as const,
      kind: "secret" as const,
      vault: "local",
      name: "otel-bad-parent",
      trigger: "schedule" as const,
      requestedAt: new Date().toISOString(),
    };
    await service.queue.sendMessage(encodeJob({ ...job, traceparent: "00-not-a-trace\n-01" }));
    expect(await drain()).toMatchObject({ succeeded: 1, failed: 0 });
    const { job: span } = traceOf("otel-bad-parent");
    expect(parentOf(span)).toBeUndefined();
    expect(span.attributes["kvguard.outcome"]).toBe("rotated");
  });
});

describe("metrics", () => {
  it("count rotations by rotator, outcome, trigger and kind, and time them", async () => {
    const collection = await collected();
    const rotations = points(collection, "kvguard.rotations");
    expect(rotations).toContainEqual({ attributes: { rotator: "random", outcome: "rotated", trigger: "schedule", kind: "secret" }, value: 2 });
    expect(rotations).toContainEqual({ attributes: { rotator: "random", outcome: "rotated", trigger: "event", kind: "secret" }, value: 1 });
    expect(rotations).toContainEqual({ attributes: { rotator: "random", outcome: "rotated", trigger: "manual", kind: "secret" }, value: 1 });
    const durations = points(collection, "kvguard.rotation.duration");
    const rotated = durations.find((p) => p.attributes.outcome === "rotated" && p.attributes.rotator === "random")!;
    expect((rotated.value as { count: number; sum: number }).count).toBe(4);
    expect((rotated.value as { sum: number }).sum).toBeGreaterThan(0);
  });

  it("report what the last sweep saw as gauges: due, overdue, expiring within 7 and 30 days", async () => {
    // A sweep now sees otel-unmanaged (5 days, no policy) and the rotated secrets, whose new versions do not expire.
    await rotationSweepHandler(timer, capture.context("rotationSweep"));
    await drain();
    const collection = await collected();
    const at = { vault: "local", kind: "secret" };
    expect(points(collection, "kvguard.objects.expiring")).toEqual(
      expect.arrayContaining([
        { attributes: { ...at, within_days: 7 }, value: 1 },
        { attributes: { ...at, within_days: 30 }, value: 1 },
      ]),
    );
    expect(points(collection, "kvguard.objects.due")).toContainEqual({ attributes: at, value: 0 });
    expect(points(collection, "kvguard.objects.overdue")).toContainEqual({ attributes: at, value: 0 });
  });

  it("carry only their declared attribute keys, and never an object name", async () => {
    const collection = await collected();
    const seen = collection.scopeMetrics.flatMap((s) => s.metrics);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    for (const metric of seen) {
      const declared: readonly string[] = METRICS[metric.descriptor.name as MetricName].attributes;
      for (const point of metric.dataPoints) {
        expect(
          Object.keys(point.attributes).every((key) => declared.includes(key)),
          `${metric.descriptor.name}: ${Object.keys(point.attributes).join(",")}`,
        ).toBe(true);
        expect(Object.values(point.attributes).some((value) => NAMES.includes(String(value)))).toBe(false);
      }
    }
    expect(METRICS["kvguard.rotations"].attributes).toEqual(["rotator", "outcome", "trigger", "kind"]);
  });
});
