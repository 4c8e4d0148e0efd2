import { mkdtempSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalKeyVault } from "../../emulator/index.js";
import type { SubscriptionView } from "../../emulator/events/delivery.js";
import { createTlsMaterial } from "../../emulator/tls.js";
import { devClaims } from "../../src/azure/devCredential.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { admin, WebhookReceiver, type WebhookReceiverOptions } from "../helpers/webhookReceiver.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const DAY = 86_400;
/** Event Grid's schedule scaled down: 40 ms, 120 ms, 240 ms… without jitter, so gaps can be checked. */
const FAST = { baseMs: 40, capMs: 1000, jitter: 0 };
const resourceId = (vault: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/kvguard-local/providers/Microsoft.KeyVault/vaults/${vault}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const A_UUID: unknown = expect.stringMatching(UUID);
const A_TIME: unknown = expect.stringMatching(ISO);
const containing = (shape: object): unknown => expect.objectContaining(shape);

interface ErrorBody {
  error: { code: string; message: string };
}
interface ValidationEvent {
  topic: string;
  data: { validationCode: string; validationUrl: string };
}

const receivers: WebhookReceiver[] = [];
async function receiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const r = await WebhookReceiver.start(options);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function subscribe(kv: LocalKeyVault, body: Record<string, unknown>): Promise<SubscriptionView> {
  const res = await admin<SubscriptionView>(kv, "POST", "/management/subscriptions", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function deadLetters(kv: LocalKeyVault, name: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(kv.workDir, "deadletter", `${name}.jsonl`), "utf8");
  return text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("one vault", () => {
  let tv: TestVault;
  let secrets: ReturnType<TestVault["clients"]>["secrets"];

  beforeAll(async () => {
    tv = await startTestVault({ vaults: ["events-kv"] });
    secrets = tv.clients().secrets;
  });
  afterAll(() => tv.kv.close());
  afterEach(async () => {
    const list = await admin<SubscriptionView[]>(tv.kv, "GET", "/management/subscriptions");
    for (const sub of list.body) await admin(tv.kv, "DELETE", `/management/subscriptions/${sub.name}`);
    await tv.kv.delivery.idle();
  });

  describe("validation handshake", () => {
    it("validates an Event Grid schema endpoint, over https trusting the emulator's CA, before creating it", async () => {
      const hook = await receiver({ tls: { cert: tv.kv.tls.certPem, key: tv.kv.tls.keyPem } });
      const view = await subscribe(tv.kv, { name: "shape", endpoint: `${hook.url}?code=function-key` });
      expect(view).toMatchObject({
        name: "shape",
        endpointBaseUrl: hook.url,
        schema: "EventGridSchema",
        includedEventTypes: null,
        vaults: null,
        maxDeliveryAttempts: 30,
        eventTimeToLiveMinutes: 1440,
        retryBackoff: { baseMs: 10_000 },
        provisioningState: "Succeeded",
        counters: { delivered: 0, retried: 0, deadLettered: 0, pending: 0 },
      });
      expect(JSON.stringify(view)).not.toContain("function-key");

      expect(hook.requests).toHaveLength(1);
      const validation = hook.requests[0]!;
      expect(validation.method).toBe("POST");
      expect(validation.path).toBe("/api/events?code=function-key");
      expect(validation.headers).toMatchObject({
        "aeg-event-type": "SubscriptionValidation",
        "aeg-subscription-name": "SHAPE",
        "content-type": "application/json",
      });
      const body = validation.json as ValidationEvent[];
      expect(body).toHaveLength(1);
      expect(body[0]).toEqual({
        id: A_UUID,
        topic: "/subscriptions/00000000-0000-0000-0000-000000000000",
        subject: "",
        data: { validationCode: A_UUID, validationUrl: expect.any(String) as unknown },
        eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
        eventTime: A_TIME,
        metadataVersion: "1",
        dataVersion: "1",
      });
      expect(body[0]!.data.validationUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/management\/subscriptions\/shape\/validate\//);
    });

    it("trusts another CA for an https endpoint only when the subscription names it", async () => {
      const other = await createTlsMaterial();
      const hook = await receiver({ tls: { cert: other.certPem, key: other.keyPem } });
      const untrusted = await admin<ErrorBody>(tv.kv, "POST", "/management/subscriptions", { name: "other-ca", endpoint: hook.url });
      expect(untrusted.status).toBe(400);
      expect(untrusted.body.error.message).toMatch(/could not be reached \(.*certificate/);
      const view = await subscribe(tv.kv, { name: "other-ca", endpoint: hook.url, endpointCa: other.caPem });
      expect(view.hasEndpointCa).toBe(true);
      await secrets.setSecret("over-other-ca", "v");
      await hook.waitFor((r) => r.delivered().length === 1, "a delivery over the other CA");
    });

    it("accepts the validationResponse key in any letter case", async () => {
      const hook = await receiver({ validation: "echo-pascal" });
      await subscribe(tv.kv, { name: "pascal", endpoint: hook.url });
      expect(hook.validations).toHaveLength(1);
    });

    it("accepts a manual validation: 200 without the code, then a GET of validationUrl", async () => {
      const hook = await receiver({ validation: "manual", ca: tv.kv.tls.caPem });
      await subscribe(tv.kv, { name: "manual", endpoint: hook.url });
      expect(await hook.manualValidation).toBe(200);
      const stale = (hook.validations[0]!.json as ValidationEvent[])[0]!.data.validationUrl;
      const replay = await admin(tv.kv, "GET", new URL(stale).pathname);
      expect(replay.status).toBe(404);
    });

    it("refuses a subscription whose endpoint does not complete the handshake, and keeps none of them", async () => {
      const notFound = await receiver({ validation: { status: 404 } });
      const wrongCode = await receiver({ validation: "wrong-code" });
      const gone = await WebhookReceiver.start();
      await gone.close();
      const cases = [
        { name: "not-found", endpoint: notFound.url, message: /answered with HTTP 404/ },
        { name: "wrong-code", endpoint: wrongCode.url, message: /validationResponse that is not the validationCode/ },
        { name: "unreachable", endpoint: gone.url, message: /could not be reached/ },
      ];
      for (const c of cases) {
        const res = await admin<ErrorBody>(tv.kv, "POST", "/management/subscriptions", { name: c.name, endpoint: c.endpoint });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe("WebhookValidationHandshakeFailed");
        expect(res.body.error.message).toMatch(c.message);
        expect((await admin(tv.kv, "GET", `/management/subscriptions/${c.name}`)).status).toBe(404);
      }
      expect(notFound.validations).toHaveLength(1);
      expect((await admin(tv.kv, "GET", "/management/subscriptions")).body).toEqual([]);
    });

    it("answers invalid settings with 400 naming the field, before any handshake", async () => {
      const hook = await receiver();
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ name: "x", endpoint: hook.url }, /name:/],
        [{ name: "ok-name", endpoint: "ftp://127.0.0.1/x" }, /endpoint:/],
        [{ name: "ok-name", endpoint: hook.url, maxDeliveryAttempts: 31 }, /maxDeliveryAttempts:/],
        [{ name: "ok-name", endpoint: hook.url, eventTimeToLiveMinutes: 0 }, /eventTimeToLiveMinutes:/],
        [{ name: "ok-name", endpoint: hook.url, schema: "CustomInputSchema" }, /schema:/],
        [{ name: "ok-name", endpoint: hook.url, includedEventTypes: ["Microsoft.KeyVault.SecretCreated"] }, /includedEventTypes\.0:/],
        [{ name: "ok-name", endpoint: hook.url, vaults: ["no-such-vault"] }, /vaults: no vault named no-such-vault/],
        [{ name: "ok-name", endpoint: hook.url, includedEventType: ["x"] }, /includedEventType/],
        [{ name: "ok-name", endpoint: hook.url, retryBackoff: { baseMs: 100, capMs: 10 } }, /retryBackoff\.capMs:/],
      ];
      for (const [body, message] of bad) {
        const res = await admin<ErrorBody>(tv.kv, "POST", "/management/subscriptions", body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.message).toMatch(message);
      }
      expect(hook.requests).toHaveLength(0);
    });

    it("updates a subscription with the same endpoint without a new handshake", async () => {
      const hook = await receiver();
      await subscribe(tv.kv, { name: "update-me", endpoint: hook.url });
      const updated = await admin<SubscriptionView>(tv.kv, "POST", "/management/subscriptions", {
        name: "update-me",
        endpoint: hook.url,
        subjectBeginsWith: "only-",
      });
      expect(updated.status).toBe(200);
      expect(updated.body.subjectBeginsWith).toBe("only-");
      expect(hook.validations).toHaveLength(1);
      await secrets.setSecret("not-this-one", "v");
      await secrets.setSecret("only-this-one", "v");
      await tv.kv.delivery.idle();
      expect(hook.delivered().map((e) => e.subject)).toEqual(["only-this-one"]);
    });
  });

  describe("delivery", () => {
    it("posts NewVersionCreated in the Event Grid schema, exactly as Event Grid does, without blocking the request", async () => {
      const hook = await receiver({ tls: { cert: tv.kv.tls.certPem, key: tv.kv.tls.keyPem } });
      await subscribe(tv.kv, { name: "wire", endpoint: hook.url });
      const nbf = nowSeconds() - 60;
      const exp = nowSeconds() + 90 * DAY;
      const secret = await secrets.setSecret("db-password", "s3cret-value", {
        notBefore: new Date(nbf * 1000),
        expiresOn: new Date(exp * 1000),
      });
      await hook.waitFor((r) => r.notifications.length === 1, "one notification");
      const n = hook.notifications[0]!;
      expect(n.method).toBe("POST");
      expect(n.headers).toMatchObject({
        "content-type": "application/json",
        "aeg-event-type": "Notification",
        "aeg-subscription-name": "WIRE",
        "aeg-delivery-count": "0",
        "aeg-metadata-version": "1",
        "aeg-data-version": "1",
      });
      const body = n.json as Record<string, unknown>[];
      expect(body).toEqual([
        {
          id: A_UUID,
          topic: resourceId("events-kv"),
          subject: "db-password",
          eventType: "Microsoft.KeyVault.SecretNewVersionCreated",
          eventTime: A_TIME,
          data: {
            Id: secret.properties.id,
            VaultName: "events-kv",
            ObjectType: "Secret",
            ObjectName: "db-password",
            Version: secret.properties.version,
            NBF: String(nbf),
            EXP: String(exp),
          },
          dataVersion: "1",
          metadataVersion: "1",
        },
      ]);
      expect(Object.keys(body[0]!)).toEqual(["id", "topic", "subject", "eventType", "eventTime", "data", "dataVersion", "metadataVersion"]);
      expect(Object.keys(body[0]!.data as object)).toEqual(["Id", "VaultName", "ObjectType", "ObjectName", "Version", "NBF", "EXP"]);
      expect(n.body).not.toContain("s3cret-value");
      await tv.kv.delivery.idle();
      expect((await admin<SubscriptionView>(tv.kv, "GET", "/management/subscriptions/wire")).body.counters).toEqual({
        delivered: 1,
        retried: 0,
        deadLettered: 0,
        pending: 0,
      });
    });

    it("never holds up the Key Vault request while a webhook hangs", async () => {
      const hook = await receiver({ respond: () => "hang" });
      await subscribe(tv.kv, { name: "slow", endpoint: hook.url });
      await secrets.setSecret("while-hanging", "v");
      await hook.waitFor((r) => r.notifications.length === 1, "the held notification");
      // The request was answered while its delivery is still unanswered: the attempt is neither done nor retried.
      expect((await admin<SubscriptionView>(tv.kv, "GET", "/management/subscriptions/slow")).body.counters).toEqual({
        delivered: 0,
        retried: 0,
        deadLettered: 0,
        pending: 1,
      });
      await hook.close();
    });

    it("delivers CloudEvents v1.0 after the OPTIONS handshake, one event per request", async () => {
      const hook = await receiver();
      const view = await subscribe(tv.kv, { name: "cloud", endpoint: hook.url, schema: "CloudEventSchemaV1_0" });
      expect(view.schema).toBe("CloudEventSchemaV1_0");
      expect(hook.validations).toHaveLength(1);
      expect(hook.validations[0]!.method).toBe("OPTIONS");
      expect(hook.validations[0]!.headers["webhook-request-origin"]).toBe("eventgrid.azure.net");

      const exp = nowSeconds() + 60 * DAY;
      const first = await secrets.setSecret("api-key", "v1", { expiresOn: new Date(exp * 1000) });
      const second = await secrets.setSecret("api-key", "v2");
      await hook.waitFor((r) => r.notifications.length === 2, "two notifications");
      await tv.kv.delivery.idle();
      for (const n of hook.notifications) {
        expect(n.headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");
        expect(n.headers["aeg-event-type"]).toBe("Notification");
        expect(Array.isArray(n.json)).toBe(false);
      }
      const events = hook.delivered().sort((a, b) => String(a.time).localeCompare(String(b.time)));
      const byVersion = new Map(events.map((e) => [(e.data as { Version: string }).Version, e]));
      expect(byVersion.get(first.properties.version!)).toEqual({
        source: resourceId("events-kv"),
        subject: "api-key",
        type: "Microsoft.KeyVault.SecretNewVersionCreated",
        time: A_TIME,
        id: A_UUID,
        data: {
          Id: first.properties.id,
          VaultName: "events-kv",
          ObjectType: "Secret",
          ObjectName: "api-key",
          Version: first.properties.version,
          NBF: null,
          EXP: String(exp),
        },
        specversion: "1.0",
      });
      expect(byVersion.get(second.properties.version!)).toMatchObject({ data: { EXP: null } });
    });

    it("refuses a CloudEvents endpoint that does not grant WebHook-Allowed-Origin", async () => {
      const hook = await receiver({ validation: "ignore" });
      const res = await admin<ErrorBody>(tv.kv, "POST", "/management/subscriptions", {
        name: "cloud-refused",
        endpoint: hook.url,
        schema: "CloudEventSchemaV1_0",
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/without WebHook-Allowed-Origin/);
    });

    it("filters by event type and subject prefix and suffix, case-insensitively unless asked", async () => {
      const all = await receiver();
      const nearOnly = await receiver();
      const prefixSuffix = await receiver();
      const caseSensitive = await receiver();
      await subscribe(tv.kv, { name: "f-all", endpoint: all.url });
      await subscribe(tv.kv, {
        name: "f-near",
        endpoint: nearOnly.url,
        includedEventTypes: ["microsoft.keyvault.secretnearexpiry"],
      });
      await subscribe(tv.kv, { name: "f-prefix", endpoint: prefixSuffix.url, subjectBeginsWith: "APP-", subjectEndsWith: "-KEY" });
      await subscribe(tv.kv, {
        name: "f-case",
        endpoint: caseSensitive.url,
        subjectBeginsWith: "APP-",
        isSubjectCaseSensitive: true,
      });
      const soon = new Date((nowSeconds() + 20 * DAY) * 1000);
      await secrets.setSecret("app-signing-key", "v", { expiresOn: soon });
      await secrets.setSecret("app-db-password", "v");
      await secrets.setSecret("other-key", "v", { expiresOn: soon });
      // Move the clock a little so the near-expiry scan runs now, not on its timer.
      await admin(tv.kv, "POST", "/management/clock/advance", { seconds: 1 });
      await all.waitFor((r) => r.delivered().length === 5, "five events for the unfiltered subscription");
      await tv.kv.delivery.idle();

      const seen = (r: WebhookReceiver) =>
        r
          .delivered()
          .map((e) => `${String(e.eventType).replace("Microsoft.KeyVault.", "")} ${String(e.subject)}`)
          .sort();
      expect(seen(all)).toEqual([
        "SecretNearExpiry app-signing-key",
        "SecretNearExpiry other-key",
        "SecretNewVersionCreated app-db-password",
        "SecretNewVersionCreated app-signing-key",
        "SecretNewVersionCreated other-key",
      ]);
      expect(seen(nearOnly)).toEqual(["SecretNearExpiry app-signing-key", "SecretNearExpiry other-key"]);
      expect(seen(prefixSuffix)).toEqual(["SecretNearExpiry app-signing-key", "SecretNewVersionCreated app-signing-key"]);
      expect(seen(caseSensitive)).toEqual([]);
      expect((await admin<SubscriptionView>(tv.kv, "GET", "/management/subscriptions/f-near")).body.includedEventTypes).toEqual([
        "Microsoft.KeyVault.SecretNearExpiry",
      ]);
    });

    it("stops delivering once a subscription is deleted", async () => {
      const hook = await receiver();
      await subscribe(tv.kv, { name: "short-lived", endpoint: hook.url });
      expect((await admin(tv.kv, "DELETE", "/management/subscriptions/short-lived")).status).toBe(204);
      expect((await admin(tv.kv, "GET", "/management/subscriptions/short-lived")).status).toBe(404);
      expect((await admin(tv.kv, "DELETE", "/management/subscriptions/short-lived")).status).toBe(404);
      await secrets.setSecret("after-delete", "v");
      await tv.kv.delivery.idle();
      expect(hook.notifications).toHaveLength(0);
    });
  });

  describe("retries and dead letters", () => {
    it("retries 500, 404 and 429 with growing backoff, then delivers once", async () => {
      const statuses = [500, 404, 429];
      const hook = await receiver({ respond: (n) => statuses[n] ?? 200 });
      await subscribe(tv.kv, { name: "flaky", endpoint: hook.url, retryBackoff: FAST });
      await secrets.setSecret("flaky-secret", "v");
      await hook.waitFor((r) => r.notifications.length === 4, "four attempts");
      await tv.kv.delivery.idle();

      const attempts = hook.notifications;
      expect(attempts.map((a) => a.headers["aeg-delivery-count"])).toEqual(["0", "1", "2", "3"]);
      expect(new Set(attempts.map((a) => (a.json as { id: string }[])[0]!.id)).size).toBe(1);
      const gaps = attempts.slice(1).map((a, i) => a.atMs - attempts[i]!.atMs);
      // Event Grid's 10 s / 30 s / 1 min steps, scaled to 40 / 120 / 240 ms: each wait lasts at least its step
      // (a busy machine only lengthens them, so no gap is compared with another).
      expect(gaps[0]).toBeGreaterThanOrEqual(35);
      expect(gaps[1]).toBeGreaterThanOrEqual(115);
      expect(gaps[2]).toBeGreaterThanOrEqual(235);
      expect(hook.delivered()).toHaveLength(1);
      expect((await admin<SubscriptionView>(tv.kv, "GET", "/management/subscriptions/flaky")).body.counters).toEqual({
        delivered: 1,
        retried: 3,
        deadLettered: 0,
        pending: 0,
      });
    });

    it("dead-letters an event after maxDeliveryAttempts, with Event Grid's dead-letter fields", async () => {
      const hook = await receiver({ respond: () => 503 });
      const view = await subscribe(tv.kv, { name: "dl-max", endpoint: hook.url, maxDeliveryAttempts: 3, retryBackoff: FAST });
      const secret = await secrets.setSecret("doomed", "v");
      await hook.waitFor((r) => r.notifications.length === 3, "three attempts");
      await tv.kv.delivery.idle();
      expect(hook.notifications).toHaveLength(3);

      expect(view.deadLetterFile).toBe(join(tv.kv.workDir, "deadletter", "dl-max.jsonl"));
      const letters = await deadLetters(tv.kv, "dl-max");
      expect(letters).toHaveLength(1);
      const sent = (hook.notifications[0]!.json as Record<string, unknown>[])[0]!;
      expect(letters[0]).toEqual({
        ...sent,
        deadLetterReason: "MaxDeliveryAttemptsExceeded",
        deliveryAttempts: 3,
        lastDeliveryOutcome: "ServiceUnavailable",
        lastHttpStatusCode: 503,
        publishTime: A_TIME,
        lastDeliveryAttemptTime: A_TIME,
      });
      expect((letters[0]!.data as { Version: string }).Version).toBe(secret.properties.version);
      expect(Date.parse(String(letters[0]!.lastDeliveryAttemptTime))).toBeGreaterThanOrEqual(Date.parse(String(letters[0]!.publishTime)));
      expect((await admin<SubscriptionView>(tv.kv, "GET", "/management/subscriptions/dl-max")).body.counters).toEqual({
        delivered: 0,
        retried: 2,
        deadLettered: 1,
        pending: 0,
      });
    });

    it("dead-letters at once, without retrying, on 400, 401, 403 and 413", async () => {
      const statuses = [400, 401, 403, 413];
      const hook = await receiver({ respond: (n) => statuses[n] ?? 200 });
      await subscribe(tv.kv, { name: "dl-now", endpoint: hook.url, retryBackoff: FAST });
      for (const name of ["bad-1", "bad-2", "bad-3", "bad-4"]) await secrets.setSecret(name, "v");
      await tv.kv.delivery.idle();
      expect(hook.notifications).toHaveLength(4);
      const letters = await deadLetters(tv.kv, "dl-now");
      const byStatus = Object.fromEntries(letters.map((l) => [String(l.lastHttpStatusCode), l]));
      expect(Object.keys(byStatus).sort()).toEqual(["400", "401", "403", "413"]);
      expect(byStatus[400]).toMatchObject({ deadLetterReason: "UndeliverableDueToHttpBadRequest", deliveryAttempts: 1, lastDeliveryOutcome: "BadRequest" });
      expect(byStatus[401]).toMatchObject({ deliveryAttempts: 1, lastDeliveryOutcome: "Unauthorized" });
      expect(byStatus[403]).toMatchObject({ deliveryAttempts: 1, lastDeliveryOutcome: "Forbidden" });
      expect(byStatus[413]).toMatchObject({ deliveryAttempts: 1, lastDeliveryOutcome: "RequestEntityTooLarge" });
    });

    it("retries when the endpoint cannot be reached, then dead-letters with no HTTP status", async () => {
      const hook = await WebhookReceiver.start();
      await subscribe(tv.kv, { name: "dl-gone", endpoint: hook.url, maxDeliveryAttempts: 2, retryBackoff: FAST });
      await hook.close();
      await secrets.setSecret("nowhere", "v");
      await tv.kv.delivery.idle();
      const [letter] = await deadLetters(tv.kv, "dl-gone");
      expect(letter).toMatchObject({
        subject: "nowhere",
        deadLetterReason: "MaxDeliveryAttemptsExceeded",
        deliveryAttempts: 2,
        lastDeliveryOutcome: "GenericError",
        lastHttpStatusCode: 0,
      });
    });
  });
});

describe("expiry and access policy events", () => {
  let tv: TestVault;
  beforeAll(async () => {
    tv = await startTestVault({ vaults: ["expiry-kv"], scanIntervalMs: 60_000 });
  });
  afterAll(() => tv.kv.close());

  const advance = async (days: number) => {
    const res = await admin(tv.kv, "POST", "/management/clock/advance", { seconds: days * DAY });
    expect(res.status).toBe(200);
    await tv.kv.delivery.idle();
  };

  it("raises NearExpiry 30 days before exp, once, for the current version only, and Expired at exp", async () => {
    const hook = await receiver();
    await subscribe(tv.kv, {
      name: "expiry",
      endpoint: hook.url,
      includedEventTypes: ["Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"],
    });
    const secrets = tv.clients().secrets;
    const exp = nowSeconds() + 40 * DAY;
    const tracked = await secrets.setSecret("tls-passphrase", "v", { expiresOn: new Date(exp * 1000) });
    // An older version that would be near expiry first, superseded by a version without exp.
    await secrets.setSecret("rotated", "old", { expiresOn: new Date((nowSeconds() + 35 * DAY) * 1000) });
    await secrets.setSecret("rotated", "new");

    await advance(5);
    expect(hook.deliveredTypes()).toEqual([]);
    await advance(5);
    expect(hook.deliveredTypes()).toEqual(["Microsoft.KeyVault.SecretNearExpiry"]);
    expect(hook.delivered()[0]).toMatchObject({
      subject: "tls-passphrase",
      topic: resourceId("expiry-kv"),
      data: { ObjectName: "tls-passphrase", Version: tracked.properties.version, EXP: String(exp) },
    });
    await advance(1);
    await advance(20);
    expect(hook.deliveredTypes()).toEqual(["Microsoft.KeyVault.SecretNearExpiry"]);
    await advance(10);
    expect(hook.deliveredTypes()).toEqual(["Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"]);
    expect(hook.delivered()[1]).toMatchObject({ subject: "tls-passphrase", data: { Version: tracked.properties.version } });
    await advance(1);
    expect(hook.delivered().map((e) => e.subject)).toEqual(["tls-passphrase", "tls-passphrase"]);
  });

  it("raises VaultAccessPolicyChanged when role assignments change", async () => {
    const hook = await receiver();
    await subscribe(tv.kv, {
      name: "access",
      endpoint: hook.url,
      includedEventTypes: ["Microsoft.KeyVault.VaultAccessPolicyChanged"],
      vaults: ["expiry-kv"],
    });
    // A subscription on one vault is validated with that vault as the topic.
    expect((hook.validations[0]!.json as ValidationEvent[])[0]!.topic).toBe(resourceId("expiry-kv"));
    const res = await admin(tv.kv, "PUT", "/management/vaults/expiry-kv/roleAssignments", [
      { principalId: devClaims({ name: "test-app" }).oid, role: "Key Vault Administrator" },
    ]);
    expect(res.status).toBe(200);
    await hook.waitFor((r) => r.delivered().length === 1, "the access policy event");
    expect(hook.delivered()[0]).toEqual({
      id: A_UUID,
      topic: resourceId("expiry-kv"),
      subject: "expiry-kv",
      eventType: "Microsoft.KeyVault.VaultAccessPolicyChanged",
      eventTime: A_TIME,
      data: { Id: tv.url, VaultName: "expiry-kv", ObjectType: "Vault", ObjectName: "expiry-kv", Version: "", NBF: null, EXP: null },
      dataVersion: "1",
      metadataVersion: "1",
    });
  });
});

describe("two vaults", () => {
  let tv: TestVault;
  beforeAll(async () => {
    tv = await startTestVault({ vaults: ["alpha-kv", "beta-kv"] });
  });
  afterAll(() => tv.kv.close());

  it("filters by vault (the topic)", async () => {
    const all = await receiver();
    const betaOnly = await receiver();
    await subscribe(tv.kv, { name: "both", endpoint: all.url });
    await subscribe(tv.kv, { name: "beta-only", endpoint: betaOnly.url, vaults: ["BETA-KV"] });
    await tv.clients(undefined, "alpha-kv").secrets.setSecret("in-alpha", "v");
    await tv.clients(undefined, "beta-kv").secrets.setSecret("in-beta", "v");
    await all.waitFor((r) => r.delivered().length === 2, "events from both vaults");
    await tv.kv.delivery.idle();
    expect(
      all
        .delivered()
        .map((e) => e.topic)
        .sort(),
    ).toEqual([resourceId("alpha-kv"), resourceId("beta-kv")]);
    expect(betaOnly.delivered()).toEqual([containing({ topic: resourceId("beta-kv"), subject: "in-beta", data: containing({ VaultName: "beta-kv" }) })]);
  });
});

describe("lifecycle", () => {
  it("keeps subscriptions across a restart with a state folder, without a second handshake", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "kvguard-events-"));
    try {
      const hook = await receiver();
      const first = await LocalKeyVault.start({ stateDir, vaults: ["persist-kv"] });
      try {
        await subscribe(first, {
          name: "durable",
          endpoint: hook.url,
          includedEventTypes: ["Microsoft.KeyVault.SecretNewVersionCreated"],
          maxDeliveryAttempts: 5,
          retryBackoff: FAST,
        });
      } finally {
        await first.close();
      }

      const second = await startTestVault({ stateDir, vaults: ["persist-kv"] });
      try {
        const list = await admin<SubscriptionView[]>(second.kv, "GET", "/management/subscriptions");
        expect(list.body).toEqual([
          containing({
            name: "durable",
            endpointBaseUrl: hook.url,
            includedEventTypes: ["Microsoft.KeyVault.SecretNewVersionCreated"],
            maxDeliveryAttempts: 5,
            retryBackoff: FAST,
          }),
        ]);
        await second.clients().secrets.setSecret("after-restart", "v");
        await hook.waitFor((r) => r.delivered().length === 1, "an event after the restart");
        expect(hook.validations).toHaveLength(1);
        expect(hook.delivered()[0]).toMatchObject({ subject: "after-restart", topic: resourceId("persist-kv") });
      } finally {
        await second.kv.close();
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it("creates the subscriptions given at start, and refuses to start when one fails its handshake", async () => {
    const hook = await receiver();
    const tv = await startTestVault({
      vaults: ["options-kv"],
      subscriptions: [{ name: "from-options", endpoint: hook.url, schema: "CloudEventSchemaV1_0" }],
    });
    try {
      expect(hook.validations.map((v) => v.method)).toEqual(["OPTIONS"]);
      expect((await admin(tv.kv, "GET", "/management/subscriptions/from-options")).status).toBe(200);
      await tv.clients().secrets.setSecret("from-start", "v");
      await hook.waitFor((r) => r.delivered().length === 1, "a CloudEvent");
      expect(hook.delivered()[0]).toMatchObject({ type: "Microsoft.KeyVault.SecretNewVersionCreated", subject: "from-start" });
    } finally {
      await tv.kv.close();
    }

    const refusing = await receiver({ validation: { status: 403 } });
    await expect(LocalKeyVault.start({ vaults: ["options-kv"], subscriptions: [{ name: "refused", endpoint: refusing.url }] })).rejects.toThrow(
      /handshake failed.*HTTP 403/,
    );
  });
});
