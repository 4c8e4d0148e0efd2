/**
 * The local cloud's Event Grid custom topics through the real `@azure/eventgrid` EventGridPublisherClient
 * (Entra with EventGrid Data Sender checked, access keys, SAS tokens) and `@azure/arm-eventgrid`
 * (get, listSharedAccessKeys, regenerateKey, createOrUpdate): CloudEvents and Event Grid schema publishes
 * delivered to local webhooks with the handshake, filters and retries; Event Grid's refusals (content type,
 * required attributes, 1 MB limits) as raw HTTPS for their exact bodies, with nothing delivered; topics,
 * keys and subscriptions kept across a restart.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventGridManagementClient } from "@azure/arm-eventgrid";
import { AzureKeyCredential, AzureSASCredential, EventGridPublisherClient, generateSharedAccessSignature } from "@azure/eventgrid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalCloud } from "../../emulator/cloud/index.js";
import { LOCAL_RESOURCE_GROUP as RG, LOCAL_SUBSCRIPTION_ID as SUB, LocalKeyVault } from "../../emulator/index.js";
import { DevTokenCredential, devClaims } from "../../src/azure/devCredential.js";
import { httpsRequest, type RawResponse } from "../helpers/https.js";
import { startTestCloud, type TestCloud } from "../helpers/localCloud.js";
import { WebhookReceiver, type WebhookReceiverOptions } from "../helpers/webhookReceiver.js";

const publisher = { name: "eg-publisher" };
const FAST_RETRY = { baseMs: 20, capMs: 50, jitter: 0 };

interface TopicView {
  name: string;
  id: string;
  endpoint: string;
  key1: string;
  key2: string;
}

let t: TestCloud;
const receivers: WebhookReceiver[] = [];

async function receiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const r = await WebhookReceiver.start(options);
  receivers.push(r);
  return r;
}

async function createTopic(body: Record<string, unknown>): Promise<TopicView> {
  const res = await t.admin("POST", "/management/eventgrid/topics", body);
  expect(res.status, res.text).toBe(201);
  return res.json() as TopicView;
}

async function subscribe(topic: string, body: Record<string, unknown>): Promise<void> {
  const res = await t.admin("POST", `/management/eventgrid/topics/${topic}/subscriptions`, { retryBackoff: FAST_RETRY, ...body });
  expect(res.status, res.text).toBe(201);
}

function clientOptions() {
  return { tlsOptions: { ca: t.ca }, retryOptions: { maxRetries: 0 } };
}

async function rawPublish(topic: TopicView, body: string, contentType: string, key = topic.key1): Promise<RawResponse> {
  return httpsRequest(`${topic.endpoint}?api-version=2018-01-01`, {
    method: "POST",
    ca: t.ca,
    headers: { "Content-Type": contentType, "aeg-sas-key": key },
    body,
  });
}

beforeAll(async () => {
  t = await startTestCloud();
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.stop();
});

describe("CloudEvents topics through EventGridPublisherClient", () => {
  let topic: TopicView;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    topic = await createTopic({ name: "kvguard-events", inputSchema: "CloudEventSchemaV1_0", dataSenders: [devClaims(publisher).oid!] });
    hook = await receiver();
    await subscribe("kvguard-events", { name: "all-events", endpoint: hook.url });
  });

  it("validated the webhook with the CloudEvents handshake and delivers a published event as sent, extensions included", async () => {
    expect(hook.validations[0]).toMatchObject({ method: "OPTIONS", headers: { "webhook-request-origin": "eventgrid.azure.net" } });
    const client = new EventGridPublisherClient(topic.endpoint, "CloudEvent", new DevTokenCredential(publisher), clientOptions());
    await client.send([
      {
        type: "Kvguard.Rotation.Succeeded",
        source: "/kvguard/demo",
        subject: "demo/payments-db",
        id: "e-1",
        time: new Date("2026-01-02T03:04:05Z"),
        data: { rotationId: "r-1", version: "v2" },
        extensionAttributes: { kvguardrun: "run-7" },
      },
    ]);
    await hook.waitFor((r) => r.delivered().length === 1, "one CloudEvent");
    const [delivered] = hook.notifications;
    expect(delivered!.headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");
    expect(delivered!.headers["aeg-subscription-name"]).toBe("ALL-EVENTS");
    expect(delivered!.json).toEqual({
      specversion: "1.0",
      type: "Kvguard.Rotation.Succeeded",
      source: "/kvguard/demo",
      subject: "demo/payments-db",
      id: "e-1",
      time: "2026-01-02T03:04:05.000Z",
      datacontenttype: "application/json",
      data: { rotationId: "r-1", version: "v2" },
      kvguardrun: "run-7",
    });
  });

  it("refuses an Entra caller without EventGrid Data Sender and a token for another audience, with 401", async () => {
    const outsider = new EventGridPublisherClient(topic.endpoint, "CloudEvent", new DevTokenCredential({ name: "eg-outsider" }), clientOptions());
    await expect(outsider.send([{ type: "T", source: "/s", data: {} }])).rejects.toMatchObject({ statusCode: 401, code: "Unauthorized" });
    const { token } = await new DevTokenCredential(publisher).getToken("https://management.azure.com/.default");
    const res = await httpsRequest(`${topic.endpoint}?api-version=2018-01-01`, {
      method: "POST",
      ca: t.ca,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/cloudevents-batch+json" },
      body: "[]",
    });
    expect(res.status).toBe(401);
  });

  it("accepts a key and a SAS token made from it, and refuses a wrong key, an expired token and a topic's keys once local auth is off", async () => {
    const withKey = new EventGridPublisherClient(topic.endpoint, "CloudEvent", new AzureKeyCredential(topic.key2), clientOptions());
    await withKey.send([{ type: "Keyed", source: "/s", data: { n: 1 } }]);
    const sas = await generateSharedAccessSignature(topic.endpoint, new AzureKeyCredential(topic.key1), new Date(Date.now() + 3600_000));
    await new EventGridPublisherClient(topic.endpoint, "CloudEvent", new AzureSASCredential(sas), clientOptions()).send([
      { type: "Sas", source: "/s", data: { n: 2 } },
    ]);
    const expired = await generateSharedAccessSignature(topic.endpoint, new AzureKeyCredential(topic.key1), new Date(Date.now() - 1000));
    await expect(
      new EventGridPublisherClient(topic.endpoint, "CloudEvent", new AzureSASCredential(expired), clientOptions()).send([{ type: "X", source: "/s" }]),
    ).rejects.toMatchObject({ statusCode: 401 });
    const wrong = new EventGridPublisherClient(topic.endpoint, "CloudEvent", new AzureKeyCredential(Buffer.alloc(32).toString("base64")), clientOptions());
    await expect(wrong.send([{ type: "X", source: "/s" }])).rejects.toMatchObject({ statusCode: 401 });

    expect((await t.admin("PATCH", "/management/eventgrid/topics/kvguard-events", { disableLocalAuth: true })).status).toBe(200);
    await expect(withKey.send([{ type: "X", source: "/s" }])).rejects.toMatchObject({
      statusCode: 401,
      message: expect.stringContaining("local authentication disabled") as unknown,
    });
    await t.admin("PATCH", "/management/eventgrid/topics/kvguard-events", { disableLocalAuth: false });
    await hook.waitFor((r) => r.delivered().length === 3, "the keyed and SAS events");
  });

  it("refuses what Event Grid refuses for CloudEvents, delivering nothing of a refused batch", async () => {
    const delivered = hook.delivered().length;
    const good = { specversion: "1.0", type: "T", source: "/s", id: "ok" };
    const cases: [string, string, number, RegExp][] = [
      [JSON.stringify([good, { specversion: "1.0", type: "T", id: "2" }]), "application/cloudevents-batch+json", 400, /required property 'source'/],
      [JSON.stringify([{ ...good, specversion: "0.3" }]), "application/cloudevents-batch+json", 400, /specversion '0.3'/],
      [JSON.stringify([{ ...good, time: "yesterday" }]), "application/cloudevents-batch+json", 400, /RFC 3339/],
      [JSON.stringify([{ ...good, "Bad-Name": 1 }]), "application/cloudevents-batch+json", 400, /extension attribute 'Bad-Name'/],
      [
        JSON.stringify([{ ...good, dataschema: "schemas/events/x.json" }]),
        "application/cloudevents-batch+json",
        400,
        /dataschema 'schemas\/events\/x.json' is not an absolute URI/,
      ],
      [JSON.stringify([good]), "application/json", 400, /Content-Type 'application\/json' is not accepted/],
      [JSON.stringify(good), "application/cloudevents-batch+json", 400, /JSON array/],
      ["[{", "application/cloudevents-batch+json", 400, /not valid JSON/],
      ["[]", "application/cloudevents-batch+json", 400, /no events/],
    ];
    for (const [body, type, status, message] of cases) {
      const res = await rawPublish(topic, body, type);
      expect(res.status, body.slice(0, 80)).toBe(status);
      const error = (res.json() as { error: { code: string; message: string; details: { code: string }[] } }).error;
      expect(error.code).toBe("BadRequest");
      expect(error.message).toMatch(message);
      expect(error.details[0]!.code).toBe("BadRequest");
    }
    const single = await rawPublish(topic, JSON.stringify({ ...good, id: "single" }), "application/cloudevents+json");
    expect(single.status).toBe(200);
    await hook.waitFor((r) => r.delivered().length === delivered + 1, "the single event only");
    expect(hook.delivered().at(-1)).toMatchObject({ id: "single" });
  });

  it("answers 413 past 1 MB for one event or for the request", async () => {
    const big = { specversion: "1.0", type: "T", source: "/s", id: "big", data: "x".repeat(1024 * 1024) };
    const oneEvent = await rawPublish(topic, JSON.stringify([big]), "application/cloudevents-batch+json");
    expect(oneEvent.status).toBe(413);
    expect(oneEvent.json()).toMatchObject({ error: { code: "RequestEntityTooLarge" } });
    const half = { ...big, data: "x".repeat(600 * 1024) };
    expect((await rawPublish(topic, JSON.stringify([half, { ...half, id: "2" }]), "application/cloudevents-batch+json")).status).toBe(413);
    const client = new EventGridPublisherClient(topic.endpoint, "CloudEvent", new DevTokenCredential(publisher), clientOptions());
    await expect(client.send([{ type: "T", source: "/s", data: { text: "x".repeat(1024 * 1024) } }])).rejects.toMatchObject({ statusCode: 413 });
  });

  it("will not subscribe an Event Grid schema endpoint to a CloudEvents topic", async () => {
    const res = await t.admin("POST", "/management/eventgrid/topics/kvguard-events/subscriptions", {
      name: "eg-out",
      endpoint: hook.url,
      schema: "EventGridSchema",
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain("delivers CloudEventSchemaV1_0 only");
  });
});

describe("Event Grid schema topics", () => {
  it("stamps topic, dataVersion and metadataVersion, delivers in either schema and filters by type and subject", async () => {
    const topic = await createTopic({ name: "eg-schema" });
    const all = await receiver();
    const filtered = await receiver();
    await subscribe("eg-schema", { name: "all", endpoint: all.url });
    await subscribe("eg-schema", {
      name: "filtered",
      endpoint: filtered.url,
      schema: "CloudEventSchemaV1_0",
      includedEventTypes: ["Kvguard.Finding"],
      subjectBeginsWith: "vault-a/",
    });
    expect(all.validations[0]!.headers["aeg-event-type"]).toBe("SubscriptionValidation");
    expect((all.validations[0]!.json as { topic: string }[])[0]!.topic).toBe(topic.id);

    const client = new EventGridPublisherClient(topic.endpoint, "EventGrid", new AzureKeyCredential(topic.key1), clientOptions());
    const eventTime = new Date("2026-02-03T04:05:06Z");
    await client.send([
      { id: "f1", eventType: "Kvguard.Finding", subject: "vault-a/secret-1", eventTime, dataVersion: "1.0", data: { severity: "high" } },
      { id: "f2", eventType: "Kvguard.Finding", subject: "vault-b/secret-2", eventTime, dataVersion: "1.0", data: { severity: "low" } },
      { id: "r1", eventType: "Kvguard.Report", subject: "vault-a/report", eventTime, dataVersion: "1.0", data: {} },
    ]);
    await all.waitFor((r) => r.delivered().length === 3, "three Event Grid events");
    await filtered.waitFor((r) => r.delivered().length === 1, "one filtered CloudEvent");
    const f1 = all.delivered().find((e) => e.id === "f1");
    expect(f1).toEqual({
      id: "f1",
      topic: topic.id,
      subject: "vault-a/secret-1",
      eventType: "Kvguard.Finding",
      eventTime: "2026-02-03T04:05:06.000Z",
      data: { severity: "high" },
      dataVersion: "1.0",
      metadataVersion: "1",
    });
    expect(all.notifications[0]!.headers).toMatchObject({ "aeg-event-type": "Notification", "aeg-metadata-version": "1", "aeg-data-version": "1.0" });
    expect(filtered.delivered()).toEqual([
      {
        source: topic.id,
        subject: "vault-a/secret-1",
        type: "Kvguard.Finding",
        time: "2026-02-03T04:05:06.000Z",
        id: "f1",
        data: { severity: "high" },
        specversion: "1.0",
      },
    ]);

    const missing = await rawPublish(topic, JSON.stringify([{ id: "x", eventType: "T", eventTime: eventTime.toISOString() }]), "application/json");
    expect(missing.status).toBe(400);
    expect(missing.text).toContain("required property 'subject'");
    const wrongTopic = await rawPublish(
      topic,
      JSON.stringify([{ id: "x", eventType: "T", subject: "s", eventTime: eventTime.toISOString(), topic: "/elsewhere" }]),
      "application/json",
    );
    expect(wrongTopic.status).toBe(400);
    const notArray = await rawPublish(topic, JSON.stringify({ id: "x", eventType: "T", subject: "s", eventTime: eventTime.toISOString() }), "application/json");
    expect(notArray.status).toBe(400);
    const unknownTopic = await rawPublish({ ...topic, endpoint: topic.endpoint.replace("eg-schema", "no-such-topic") }, "[]", "application/json");
    expect(unknownTopic.status).toBe(404);
  });

  it("retries a failing subscriber on Event Grid's schedule and dead-letters what it never takes", async () => {
    const topic = await createTopic({ name: "eg-retries" });
    const flaky = await receiver({ respond: (n) => (n === 0 ? 503 : 200) });
    const broken = await receiver({ respond: () => 500 });
    await subscribe("eg-retries", { name: "flaky", endpoint: flaky.url });
    await subscribe("eg-retries", { name: "broken", endpoint: broken.url, maxDeliveryAttempts: 2 });
    const client = new EventGridPublisherClient(topic.endpoint, "EventGrid", new AzureKeyCredential(topic.key1), clientOptions());
    await client.send([{ eventType: "T", subject: "s", dataVersion: "1", data: {} }]);
    await flaky.waitFor((r) => r.delivered().length === 1, "the retried delivery");
    await t.cloud.providers.eventGrid.delivery(t.cloud.providers.eventGrid.get("eg-retries")!).idle(5000);
    const views = (await t.admin("GET", "/management/eventgrid/topics/eg-retries/subscriptions")).json() as {
      name: string;
      counters: Record<string, number>;
    }[];
    expect(views.find((v) => v.name === "flaky")!.counters).toMatchObject({ delivered: 1, retried: 1 });
    expect(views.find((v) => v.name === "broken")!.counters).toMatchObject({ delivered: 0, deadLettered: 1 });
  });
});

describe("Event Grid topics through @azure/arm-eventgrid", () => {
  it("creates, gets, lists keys and regenerates one: the old key is refused at once, the other still works", async () => {
    const arm = new EventGridManagementClient(new DevTokenCredential({ name: "eg-operator" }), SUB, {
      endpoint: t.cloud.url,
      credentialScopes: ["https://management.azure.com/.default"],
      tlsOptions: { ca: t.ca },
      retryOptions: { maxRetries: 0 },
    });
    const created = await arm.topics.beginCreateOrUpdateAndWait(RG, "arm-topic", { location: "local", inputSchema: "CloudEventSchemaV1_0" });
    expect(created).toMatchObject({
      name: "arm-topic",
      type: "Microsoft.EventGrid/topics",
      inputSchema: "CloudEventSchemaV1_0",
      provisioningState: "Succeeded",
      disableLocalAuth: false,
    });
    const topic = await arm.topics.get(RG, "arm-topic");
    expect(topic.endpoint).toBe(`${t.cloud.url}/eventgrid/topics/arm-topic/api/events`);
    const before = await arm.topics.listSharedAccessKeys(RG, "arm-topic");
    const after = await arm.topics.beginRegenerateKeyAndWait(RG, "arm-topic", { keyName: "key1" });
    expect(after.key1).not.toBe(before.key1);
    expect(after.key2).toBe(before.key2);
    const send = (key: string) =>
      new EventGridPublisherClient(topic.endpoint!, "CloudEvent", new AzureKeyCredential(key), clientOptions()).send([{ type: "T", source: "/s" }]);
    await expect(send(before.key1!)).rejects.toMatchObject({ statusCode: 401 });
    await send(after.key1!);
    await send(before.key2!);
    const names: string[] = [];
    for await (const t2 of arm.topics.listByResourceGroup(RG)) names.push(t2.name!);
    expect(names).toContain("arm-topic");
    await expect(arm.topics.get(RG, "no-such-topic")).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    await expect(arm.topics.beginRegenerateKeyAndWait(RG, "arm-topic", { keyName: "key3" })).rejects.toMatchObject({ statusCode: 400 });
  });

  it("lets the publisher's retry policy ride out an injected 503", async () => {
    const topic = await createTopic({ name: "eg-faults", inputSchema: "CloudEventSchemaV1_0" });
    t.cloud.addFault({ status: 503, count: 1, match: "POST /eventgrid/topics/eg-faults" });
    const client = new EventGridPublisherClient(topic.endpoint, "CloudEvent", new AzureKeyCredential(topic.key1), {
      tlsOptions: { ca: t.ca },
      retryOptions: { maxRetries: 2, retryDelayInMs: 10 },
    });
    await client.send([{ type: "T", source: "/s" }]);
    expect(t.cloud.faults.list().at(-1)).toMatchObject({ served: 1, remaining: 0 });
  });
});

describe("Event Grid topics across a restart", () => {
  it("keeps topics, keys and subscriptions", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "kvguard-eg-state-"));
    const hook = await receiver();
    const kv = await LocalKeyVault.start({ stateDir });
    const cloud = await startLocalCloud({ kv });
    const topic = await cloud.providers.eventGrid.create({ name: "kept-topic", inputSchema: "CloudEventSchemaV1_0" });
    await cloud.providers.eventGrid.subscribe(topic, { name: "kept-sub", endpoint: hook.url });
    await cloud.close();
    await kv.close();

    const kv2 = await LocalKeyVault.start({ stateDir });
    const cloud2 = await startLocalCloud({ kv: kv2 });
    try {
      const kept = cloud2.providers.eventGrid.get("kept-topic")!;
      expect(kept.key1).toBe(topic.key1);
      const client = new EventGridPublisherClient(cloud2.providers.eventGrid.endpointOf(kept), "CloudEvent", new AzureKeyCredential(kept.key1), {
        tlsOptions: { ca: kv2.tls.caPem },
      });
      await client.send([{ type: "After.Restart", source: "/s" }]);
      await hook.waitFor((r) => r.delivered().length === 1, "the event after the restart");
      expect(hook.validations).toHaveLength(1);
    } finally {
      await cloud2.close();
      await kv2.close();
    }
  });
});
