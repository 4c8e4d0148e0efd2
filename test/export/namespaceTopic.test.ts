/**
 * The export to an Event Grid namespace topic against the local stack: the same records as the custom
 * topic's test, published by `exportOut` through `@azure/eventgrid-namespaces`' EventGridSenderClient to the
 * local cloud's namespace, delivered to a webhook push subscription, each event fitting its schema and none
 * holding a value. What the namespace refuses (kvguard without EventGrid Data Sender: 401; a topic it does
 * not have: 410) stops the run with nothing marked; once fixed, the next run sends what waited, once. The
 * SDK itself meets the namespace's other refusals: over 1 MB or 1,000 events (403), a malformed CloudEvent
 * (400), a key while local auth is off (401).
 */
import { InvocationContext, type Timer } from "@azure/functions";
import { AzureKeyCredential, EventGridSenderClient } from "@azure/eventgrid-namespaces";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp, useApp } from "../../src/app/index.js";
import { DevTokenCredential, devClaims } from "../../src/azure/devCredential.js";
import { exportOut } from "../../src/functions/exportOut.js";
import type { History } from "../../src/rotation/history.js";
import { expectEveryEventType, seeded, seedExportRecords, SEEDED_VALUE } from "../helpers/exportFixture.js";
import { httpsRequest } from "../helpers/https.js";
import { adminCall } from "../helpers/localCloud.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture } from "../helpers/rotation.js";
import { WebhookReceiver } from "../helpers/webhookReceiver.js";

const KVGUARD_OID = devClaims({ name: "kvguard" }).oid!;
const NAMESPACE = "kvguard-ns";
const TOPIC = "kvguard-events";

let stack: LocalStack;
let hook: WebhookReceiver;
let env: Record<string, string>;
let endpoint: string;
let history: History;
const capture = new Capture();

async function cloudAdmin(method: string, path: string, body?: unknown): Promise<{ status: number; json: () => unknown }> {
  return adminCall(stack.cloud.url, stack.tv.kv.tls.caPem, method, path, body);
}

async function runExportOut(settings: Record<string, string> = env): Promise<string> {
  const logs: string[] = [];
  const context = new InvocationContext({
    functionName: "exportOut",
    invocationId: "test",
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(" ")}`),
  });
  useApp(createApp(settings));
  await exportOut.handler({ isPastDue: false } as Timer, context);
  return logs.join("\n");
}

const sender = (credential: AzureKeyCredential | DevTokenCredential, topic = TOPIC) =>
  new EventGridSenderClient(endpoint, credential, topic, { tlsOptions: { ca: stack.tv.kv.tls.caPem }, retryOptions: { maxRetries: 0 } });

const statusOfCall = (call: Promise<unknown>) =>
  call.then(
    () => 200,
    (error: { statusCode?: number }) => error.statusCode,
  );

beforeAll(async () => {
  stack = await startLocalStack();
  hook = await WebhookReceiver.start();
  const created = await cloudAdmin("POST", "/management/eventgrid/namespaces", { name: NAMESPACE, disableLocalAuth: true, dataSenders: [KVGUARD_OID] });
  expect(created.status).toBe(201);
  endpoint = (created.json() as { endpoint: string }).endpoint;
  expect((await cloudAdmin("POST", `/management/eventgrid/namespaces/${NAMESPACE}/topics`, { name: TOPIC })).status).toBe(201);
  const subscribed = await cloudAdmin("POST", `/management/eventgrid/namespaces/${NAMESPACE}/topics/${TOPIC}/subscriptions`, {
    name: "automation",
    endpoint: hook.url,
  });
  expect(subscribed.status).toBe(201);
  env = { ...stack.env, KVGUARD_EXPORT_NAMESPACE_ENDPOINT: endpoint, KVGUARD_EXPORT_NAMESPACE_TOPIC: TOPIC };
  history = await seedExportRecords(stack, env, capture);
});

afterAll(async () => {
  await hook?.close();
  await stack?.stop();
});

afterEach(() => {
  useApp(undefined);
});

describe("events to an Event Grid namespace topic", () => {
  it("publishes every kind of record through the namespace; the push subscription gets each, fitting its schema, no value in any", async () => {
    expect(await runExportOut()).toMatch(/information: export eventgrid: \d+ sent, 0 already sent, 0 refused/);
    await expectEveryEventType(hook);
    const accepted = (await cloudAdmin("GET", `/management/eventgrid/namespaces/${NAMESPACE}/topics/${TOPIC}/events`)).json() as { auth: string }[];
    expect(new Set(accepted.map((a) => a.auth))).toEqual(new Set(["entra"]));
    expect(JSON.stringify(hook.delivered())).not.toContain(SEEDED_VALUE);
    expect(JSON.stringify(hook.delivered())).not.toContain("valueHmac");
    // A second run finds everything sent.
    expect(await runExportOut()).toMatch(/export eventgrid: 0 sent/);
  });

  it("keeps what the namespace refuses (no Data Sender role: 401, unknown topic: 410) and sends it once when fixed", async () => {
    const delivered = hook.delivered().length;
    await history.record(seeded("finish", "ok", { name: "held-a", rotationId: "r-held-a", version: "v2", at: "2026-03-03T08:00:00.000Z" }));
    const patched = await cloudAdmin("PATCH", `/management/eventgrid/namespaces/${NAMESPACE}`, { dataSenders: [devClaims({ name: "someone-else" }).oid!] });
    expect(patched.status).toBe(200);
    const exporter = async (settings: Record<string, string>) => (await createApp(settings).exporter({ maxRetries: 0, overlapMs: 0 }))!;
    const unauthorized = await (await exporter(env)).run();
    expect(unauthorized[0]).toMatchObject({ sink: "eventgrid", sent: 0, failed: [expect.objectContaining({ source: "history", status: 401 })] });

    await cloudAdmin("PATCH", `/management/eventgrid/namespaces/${NAMESPACE}`, { dataSenders: [KVGUARD_OID] });
    await history.record(seeded("finish", "ok", { name: "held-b", rotationId: "r-held-b", version: "v3", at: "2026-03-03T09:00:00.000Z" }));
    const gone = await (await exporter({ ...env, KVGUARD_EXPORT_NAMESPACE_TOPIC: "no-such-topic" })).run();
    expect(gone[0]).toMatchObject({ sent: 0, failed: [expect.objectContaining({ source: "history", status: 410 })] });
    expect(hook.delivered().length).toBe(delivered);

    const resumed = await (await exporter(env)).run();
    expect(resumed[0]).toMatchObject({ sent: 2, failed: [] });
    await hook.waitFor((r) => r.delivered().filter((e) => String((e.data as { name?: string }).name).startsWith("held-")).length === 2, "the held events");
    expect((await (await exporter(env)).run())[0]).toMatchObject({ sent: 0, failed: [] });
    expect(hook.delivered().filter((e) => String((e.data as { name?: string }).name).startsWith("held-")).length).toBe(2);
  });

  it("refuses and never sends an event holding a setting's secret value", async () => {
    const accountKey = /AccountKey=([^;]+)/.exec(stack.env.AzureWebJobsStorage!)![1]!;
    await history.record(
      seeded("test", "failed", { name: "leaky", rotationId: "r-leak", message: `failed with key ${accountKey}`, at: "2026-03-04T08:00:00.000Z" }),
    );
    const logs = await runExportOut();
    expect(logs).toMatch(/warning: export eventgrid: 0 sent, \d+ already sent, 1 refused/);
    expect(logs).not.toContain(accountKey);
    expect(JSON.stringify(hook.delivered())).not.toContain(accountKey);
  });

  it("answers the SDK as the namespace's API says: 403 over 1 MB or 1,000 events, 400 malformed, 401 for a key when local auth is off", async () => {
    const client = sender(new DevTokenCredential({ name: "kvguard" }));
    const big = Array.from({ length: 40 }, (_, i) => ({ type: "Test.Big", source: "/test", id: `big-${i}`, data: { pad: "x".repeat(30_000) } }));
    expect(await statusOfCall(client.sendEvents(big))).toBe(403);
    const many = Array.from({ length: 1001 }, (_, i) => ({ type: "Test.Many", source: "/test", id: `many-${i}`, data: {} }));
    expect(await statusOfCall(client.sendEvents(many))).toBe(403);
    expect(await statusOfCall(client.sendEvents([{ type: "Test.One", source: "/test", id: "one", data: { ok: true } }]))).toBe(200);

    const namespace = (await cloudAdmin("GET", `/management/eventgrid/namespaces/${NAMESPACE}`)).json() as { key1: string };
    expect(await statusOfCall(sender(new AzureKeyCredential(namespace.key1)).sendEvents([{ type: "Test.Key", source: "/test", id: "k" }]))).toBe(401);
    await cloudAdmin("PATCH", `/management/eventgrid/namespaces/${NAMESPACE}`, { disableLocalAuth: false });
    expect(await statusOfCall(sender(new AzureKeyCredential(namespace.key1)).sendEvents([{ type: "Test.Key", source: "/test", id: "k" }]))).toBe(200);
    expect(await statusOfCall(sender(new AzureKeyCredential("d3Jvbmc=")).sendEvents([{ type: "Test.Key", source: "/test", id: "k" }]))).toBe(401);
    await cloudAdmin("PATCH", `/management/eventgrid/namespaces/${NAMESPACE}`, { disableLocalAuth: true });

    // Malformed CloudEvents, sent raw (the SDK would fill in what is missing): the whole request is refused.
    const token = await new DevTokenCredential({ name: "kvguard" }).getToken("https://eventgrid.azure.net/.default");
    const raw = (body: unknown, contentType = "application/cloudevents-batch+json; charset=utf-8") =>
      httpsRequest(`${endpoint}/topics/${TOPIC}:publish?api-version=2024-06-01`, {
        method: "POST",
        ca: stack.tv.kv.tls.caPem,
        headers: { "Content-Type": contentType, Authorization: `Bearer ${token.token}` },
        body: JSON.stringify(body),
      });
    const before = ((await cloudAdmin("GET", `/management/eventgrid/namespaces/${NAMESPACE}/topics/${TOPIC}/events`)).json() as unknown[]).length;
    const missingSource = await raw([{ specversion: "1.0", id: "a", type: "T" }]);
    expect(missingSource.status).toBe(400);
    expect(missingSource.text).toContain("required property 'source'");
    expect((await raw([{ specversion: "1.0", id: "b", type: "T", source: "/s" }], "application/json")).status).toBe(400);
    expect((await raw([{ specversion: "0.3", id: "c", type: "T", source: "/s" }])).status).toBe(400);
    const after = ((await cloudAdmin("GET", `/management/eventgrid/namespaces/${NAMESPACE}/topics/${TOPIC}/events`)).json() as unknown[]).length;
    expect(after).toBe(before);
    expect((await raw([{ specversion: "1.0", id: "d", type: "T", source: "/s" }])).status).toBe(200);
  });
});
