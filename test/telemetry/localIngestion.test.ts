/**
 * Telemetry through the real Azure Monitor exporter to the local cloud's Application Insights ingestion
 * endpoint (`/v2.1/track`, over HTTPS with the local CA): a rotation from the timer sweep through the queue to
 * the worker arrives as its metrics (`kvguard.rotations`, `kvguard.rotation.duration`, with no object name as
 * a dimension) and as one trace (sweep → enqueue → worker, linked by operation and parent ids); no value of
 * the secret is anywhere in what was sent. The endpoint answers as the track API does: 200 with the counts, 206
 * when some items are refused (an unknown instrumentation key), 400 when all are; gzip bodies are read.
 */
import { gzipSync } from "node:zlib";
import type { Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envelope, ReceivedItem } from "../../emulator/cloud/appInsights/index.js";
import { useApp, type App } from "../../src/app/index.js";
import { rotationSweepHandler } from "../../src/functions/rotationSweep.js";
import { rotationWorkerHandler } from "../../src/functions/rotationWorker.js";
import { drainQueue } from "../../src/state/queueWorker.js";
import { METRICS, type MetricName } from "../../src/telemetry/metrics.js";
import { httpsRequest } from "../helpers/https.js";
import { adminCall } from "../helpers/localCloud.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { appFor, Capture, kvguardSecrets } from "../helpers/rotation.js";

// The exporter's own usage reports would go to Microsoft's endpoints: not from a test.
process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = "true";

const NAME = "ingested-rotation";
const INITIAL = "initial-ingested-Zt6q";
const DAY_MS = 86_400_000;

let stack: LocalStack;
let app: App;
let component: { name: string; instrumentationKey: string; connectionString: string };
const capture = new Capture();
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: new Date().toISOString(), next: new Date().toISOString(), lastUpdated: new Date().toISOString() },
};

const admin = (method: string, path: string, body?: unknown) => adminCall(stack.cloud.url, stack.tv.kv.tls.caPem, method, path, body);

async function received(): Promise<Envelope[]> {
  return ((await admin("GET", `/management/appinsights/components/${component.name}/items`)).json() as ReceivedItem[]).map((r) => r.item);
}

const track = (body: string | Buffer, headers: Record<string, string> = {}) =>
  httpsRequest(`${stack.cloud.url}/v2.1/track`, {
    method: "POST",
    ca: stack.tv.kv.tls.caPem,
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });

beforeAll(async () => {
  stack = await startLocalStack();
  const created = await admin("POST", "/management/appinsights/components", { name: "kvguard-local" });
  expect(created.status).toBe(201);
  component = created.json() as typeof component;
  expect(component.connectionString).toBe(`InstrumentationKey=${component.instrumentationKey};IngestionEndpoint=${stack.cloud.url}/`);
  // Telemetry on through the settings alone, as in Azure: the connection string, nothing handed in.
  app = appFor({ ...stack, env: { ...stack.env, APPLICATIONINSIGHTS_CONNECTION_STRING: component.connectionString } }, capture);
  useApp(app);
});

afterAll(async () => {
  useApp(undefined);
  await app?.close();
  await stack?.stop();
});

describe("the local Application Insights ingestion endpoint", () => {
  it("receives a rotation's metrics and its trace (trigger → queue → worker) from the real exporter, no value anywhere", async () => {
    await kvguardSecrets(stack).setSecret(NAME, INITIAL, {
      tags: { "kvguard-rotator": "random", "kvguard-options": "length=24" },
      expiresOn: new Date(stack.tv.kv.clock.nowMs() + 10 * DAY_MS),
    });
    const service = await app.rotation();
    await rotationSweepHandler(timer, capture.context("rotationSweep"));
    const drained = await drainQueue(service.queue, (m) => rotationWorkerHandler(JSON.parse(m.text) as unknown, capture.context("rotationWorker")), {
      concurrency: 1,
      visibilityTimeoutSeconds: 60,
      poison: service.poison,
      onError: (error) => capture.error("rotationWorker", error),
    });
    expect(drained).toMatchObject({ succeeded: 1, failed: 0 });
    const rotated = (await kvguardSecrets(stack).getSecret(NAME)).value!;
    expect(rotated).not.toBe(INITIAL);
    await app.flushTelemetry();

    const items = await received();
    expect(items.every((i) => i.iKey === component.instrumentationKey)).toBe(true);
    // Metrics: one envelope per series and export, each with its declared dimensions only.
    const metrics = items.filter((i) => i.data.baseType === "MetricData");
    const series = metrics.flatMap((i) =>
      (i.data.baseData.metrics as { name: string; value: number; count?: number }[]).map((m) => ({
        ...m,
        properties: i.data.baseData.properties as Record<string, string>,
      })),
    );
    const rotations = series.filter((m) => m.name === "kvguard.rotations" && m.properties.outcome === "rotated");
    expect(rotations).toEqual([
      expect.objectContaining({ value: 1, properties: expect.objectContaining({ rotator: "random", trigger: "schedule", kind: "secret" }) as object }),
    ]);
    expect(series.some((m) => m.name === "kvguard.rotation.duration" && m.properties.rotator === "random" && (m.count ?? 0) >= 1)).toBe(true);
    for (const m of series.filter((s) => s.name.startsWith("kvguard."))) {
      const allowed: readonly string[] = METRICS[m.name as MetricName].attributes;
      for (const [key, value] of Object.entries(m.properties).filter(([k]) => !k.startsWith("_MS."))) {
        expect(allowed, `${m.name} carries ${key}`).toContain(key);
        expect(value).not.toContain(NAME);
      }
    }

    // The trace: the worker's request continues the enqueue's dependency, which the sweep's started.
    const spans = items.filter((i) => i.data.baseType === "RequestData" || i.data.baseType === "RemoteDependencyData");
    const props = (i: Envelope) => (i.data.baseData.properties ?? {}) as Record<string, string>;
    const worker = spans.find((i) => i.data.baseType === "RequestData" && props(i)["kvguard.object"] === NAME);
    expect(worker, "the worker's span as a request").toBeDefined();
    expect(worker!.data.baseData.name).toBe("kvguard.rotation");
    const operation = worker!.tags!["ai.operation.id"];
    const byId = (id: string | undefined) => spans.find((i) => i.data.baseData.id === id);
    const enqueue = byId(worker!.tags!["ai.operation.parentId"]);
    expect(enqueue?.data.baseData.name).toBe("kvguard.enqueue");
    expect(props(enqueue!)["kvguard.object"]).toBe(NAME);
    const sweep = byId(enqueue!.tags!["ai.operation.parentId"]);
    expect(sweep?.data.baseData.name).toBe("kvguard.sweep");
    for (const span of [enqueue!, sweep!]) expect(span.tags!["ai.operation.id"]).toBe(operation);
    // The Key Vault SDK's calls are in the same operation.
    expect(spans.some((i) => i.tags!["ai.operation.id"] === operation && String(i.data.baseData.name).startsWith("SecretClient."))).toBe(true);

    const everything = JSON.stringify(items);
    expect(everything).not.toContain(INITIAL);
    expect(everything).not.toContain(rotated);
  });

  it("answers as the track API does: counts, 206 for an unknown key among known ones, 400 when none is known, gzip read", async () => {
    const item = (iKey: string) => ({
      name: "Microsoft.ApplicationInsights.Event",
      time: new Date().toISOString(),
      iKey,
      data: { baseType: "EventData", baseData: { ver: 2, name: "probe" } },
    });
    const known = await track(JSON.stringify([item(component.instrumentationKey)]));
    expect(known.status).toBe(200);
    expect(known.json()).toEqual({ itemsReceived: 1, itemsAccepted: 1, appId: null, errors: [] });
    const stranger = "00000000-1111-2222-3333-444444444444";
    const mixed = await track(JSON.stringify([item(component.instrumentationKey), item(stranger), { name: "x" }]));
    expect(mixed.status).toBe(206);
    expect(mixed.json()).toMatchObject({
      itemsReceived: 3,
      itemsAccepted: 1,
      errors: [
        { index: 1, statusCode: 400, message: "Invalid instrumentation key" },
        { index: 2, statusCode: 400 },
      ],
    });
    const none = await track(JSON.stringify([item(stranger)]));
    expect(none.status).toBe(400);
    expect(none.json()).toMatchObject({ itemsReceived: 1, itemsAccepted: 0 });
    const zipped = await track(gzipSync(JSON.stringify([item(component.instrumentationKey)])), { "Content-Encoding": "gzip" });
    expect(zipped.json()).toMatchObject({ itemsAccepted: 1 });
    expect((await received()).filter((i) => i.data.baseType === "EventData").length).toBe(3);
    expect(JSON.stringify(await received())).not.toContain(stranger);
  });
});
