/**
 * @module Real mail: nodemailer delivers to a local smtp-server and mailparser reads what arrived (headers,
 * both bodies, no secret); smtp:// goes only over STARTTLS with a trusted certificate unless the operator
 * allows clear text (KVGUARD_ALERT_SMTP_STARTTLS=optional); SMTP down → outbox in Azurite → delivered on the
 * next run. ACS Email: the real SDK against a local HTTPS endpoint that follows the ACS Email REST shapes and
 * checks its HMAC signature.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import { createTlsMaterial, type TlsMaterial } from "../../emulator/tls.js";
import { AlertDispatcher } from "../../src/alerts/dispatcher.js";
import { createApp } from "../../src/app/index.js";
import { single } from "../../src/alerts/message.js";
import { parseRules } from "../../src/config/alertRules.js";
import { sampleAlert } from "../../src/alerts/samples.js";
import { AcsEmailSink } from "../../src/alerts/sinks/acsEmail.js";
import { DeliveryError } from "../../src/alerts/sinks/sink.js";
import { SmtpSink } from "../../src/alerts/sinks/smtp.js";
import { AcsEmailFake } from "./helpers/acsEmailFake.js";
import { freshTable, TestClock } from "./helpers/alertTable.js";
import { SmtpCatcher } from "../../dev/alerts/smtpCatcher.js";

const PASSWORD = "smtp-password-0123";
const MARKED_SECRET = "rotated-value-Zq8pR2vX9mK4";

let azurite: RunningAzurite;
/** A CA and a certificate for 127.0.0.1 signed by it, for the STARTTLS catchers. */
let tls: TlsMaterial;
beforeAll(async () => {
  [azurite, tls] = await Promise.all([startAzurite(), createTlsMaterial()]);
});
afterAll(() => azurite.stop());

describe("SMTP", () => {
  it("delivers an HTML mail with a plain-text alternative, the subject saying severity and what, and no secret", async () => {
    const catcher = await SmtpCatcher.start({ password: PASSWORD, tls });
    const sink = await SmtpSink.connect(`smtp://alerts%40contoso.com:${PASSWORD}@127.0.0.1:${catcher.port}`, {
      from: "kvguard <DoNotReply@contoso.com>",
      to: ["secops@contoso.com", "oncall@contoso.com"],
      secrets: [PASSWORD, MARKED_SECRET],
      ca: tls.caPem,
    });
    const alert = sampleAlert("rotation-failed");
    await sink.deliver(single(alert));
    sink.close();
    await catcher.close();

    expect(catcher.mails).toHaveLength(1);
    const { parsed, raw, envelope, secure } = catcher.mails[0]!;
    expect(secure, "sent after STARTTLS").toBe(true);
    expect(envelope).toEqual({ from: "DoNotReply@contoso.com", to: ["secops@contoso.com", "oncall@contoso.com"] });
    expect(parsed.subject).toBe("[kvguard HIGH] Rotation of payments-prod/db-password failed: kvguard gave up");
    expect(parsed.from?.text).toBe('"kvguard" <DoNotReply@contoso.com>');
    expect(parsed.headers.get("x-kvguard-message")).toBe(alert.id);
    expect(parsed.headers.get("content-type")).toMatchObject({ value: "multipart/alternative" });
    expect(parsed.text).toContain("HIGH: Rotation of payments-prod/db-password failed");
    expect(parsed.text).toContain("kvguard rotate payments-prod/db-password");
    expect(parsed.html).toContain("<table");
    expect(parsed.html).toContain("kvguard rotate payments-prod/db-password");
    expect(parsed.html).toContain(`https://portal.azure.com/#@/resource${alert.vaultResourceId}/overview`);
    for (const secret of [PASSWORD, MARKED_SECRET]) expect(raw).not.toContain(secret);
  });

  it("keeps the mail in the outbox while the SMTP server is down and delivers it on the next run", async () => {
    const probe = await SmtpCatcher.start({ password: PASSWORD });
    const port = probe.port;
    await probe.close();
    const parsed = parseRules({ channels: { oncall: { type: "smtp", to: ["oncall@contoso.com"] } }, routes: [{ channels: ["oncall"] }] });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    // A relay without STARTTLS on a trusted network: the operator allows clear text.
    const sink = await SmtpSink.connect(`smtp://kvguard:${PASSWORD}@127.0.0.1:${port}`, {
      from: "DoNotReply@contoso.com",
      to: ["oncall@contoso.com"],
      startTls: "optional",
    });
    const clock = new TestClock(Date.UTC(2026, 10, 27, 10, 0, 0));
    const logs: string[] = [];
    const dispatcher = new AlertDispatcher({
      rules: parsed.rules,
      sinks: { oncall: sink },
      table: await freshTable(azurite),
      clock,
      retry: { attempts: 2, baseDelayMs: 20, maxWaitMs: 1000 },
      log: (line) => logs.push(line),
    });
    const alert = sampleAlert("near-expiry-without-policy");
    expect(await dispatcher.dispatch([alert])).toMatchObject({ sent: 0, queued: 1 });
    expect(logs.join("\n")).toMatch(/SMTP delivery failed: .*ECONNREFUSED/);
    expect(await dispatcher.outbox.list()).toMatchObject([{ channel: "oncall", attempts: 2 }]);

    const catcher = await SmtpCatcher.start({ port, password: PASSWORD });
    clock.advance(61);
    expect(await dispatcher.flush()).toMatchObject({ outboxDelivered: 1, outboxLeft: 0 });
    sink.close();
    await catcher.close();
    expect(catcher.mails.map((m) => m.parsed.subject)).toEqual([`[kvguard MEDIUM] ${alert.title}`]);
    expect(await dispatcher.outbox.list()).toEqual([]);
  });
});

describe("SMTP transport security", () => {
  const alert = () => single(sampleAlert("finding"));

  it("refuses to send over smtp:// to a server that offers no STARTTLS, naming the setting that would allow it", async () => {
    const catcher = await SmtpCatcher.start({ password: PASSWORD });
    const sink = await SmtpSink.connect(`smtp://kvguard:${PASSWORD}@127.0.0.1:${catcher.port}`, { from: "DoNotReply@contoso.com", to: ["oncall@contoso.com"] });
    const error = await sink.deliver(alert()).catch((e: unknown) => e);
    sink.close();
    await catcher.close();
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toMatch(
      /^SMTP delivery failed: the connection could not be secured with STARTTLS .*set KVGUARD_ALERT_SMTP_STARTTLS=optional to allow clear text$/,
    );
    expect(catcher.mails).toEqual([]);
  });

  it("refuses a STARTTLS server whose certificate it does not trust", async () => {
    const catcher = await SmtpCatcher.start({ password: PASSWORD, tls });
    const sink = await SmtpSink.connect(`smtp://kvguard:${PASSWORD}@127.0.0.1:${catcher.port}`, { from: "DoNotReply@contoso.com", to: ["oncall@contoso.com"] });
    const error = await sink.deliver(alert()).catch((e: unknown) => e);
    sink.close();
    await catcher.close();
    expect((error as Error).message).toMatch(/^SMTP delivery failed: .*(self[- ]signed|unable to verify|issuer)/i);
    expect(catcher.mails).toEqual([]);
  });

  it("reads only scheme, login, host and port: a query cannot turn TLS off", async () => {
    const catcher = await SmtpCatcher.start({ password: PASSWORD });
    const sink = await SmtpSink.connect(`smtp://kvguard:${PASSWORD}@127.0.0.1:${catcher.port}/?requireTLS=false&ignoreTLS=true&tls.rejectUnauthorized=false`, {
      from: "DoNotReply@contoso.com",
      to: ["oncall@contoso.com"],
    });
    await expect(sink.deliver(alert())).rejects.toThrow(/KVGUARD_ALERT_SMTP_STARTTLS/);
    sink.close();
    await catcher.close();
    expect(catcher.mails).toEqual([]);
  });

  it("from the settings: STARTTLS required by default, clear text only with KVGUARD_ALERT_SMTP_STARTTLS=optional", async () => {
    const catcher = await SmtpCatcher.start({ password: PASSWORD });
    const rules = { channels: { oncall: { type: "smtp", to: ["oncall@contoso.com"] } }, routes: [{ channels: ["oncall"] }] };
    const env = {
      KVGUARD_VAULT_URLS: "https://payments-prod.vault.azure.net",
      AzureWebJobsStorage: azurite.connectionString,
      KVGUARD_ALERT_RULES: JSON.stringify(rules),
      KVGUARD_ALERT_SMTP_CONNECTION: `smtp://kvguard:${PASSWORD}@127.0.0.1:${catcher.port}`,
      KVGUARD_ALERT_FROM: "DoNotReply@contoso.com",
    };
    const sent = async (extra: Record<string, string>) => {
      const alerting = await createApp(
        { ...env, ...extra },
        { alerts: { log: () => undefined, retry: { attempts: 1, baseDelayMs: 1, maxWaitMs: 1 } } },
      ).alerting();
      try {
        return await alerting!.sinks.oncall!.deliver(alert()).then(
          () => "sent",
          (e: unknown) => (e as Error).message,
        );
      } finally {
        alerting!.close();
      }
    };
    expect(await sent({})).toMatch(/STARTTLS/);
    expect(catcher.mails).toHaveLength(0);
    expect(await sent({ KVGUARD_ALERT_SMTP_STARTTLS: "optional" })).toBe("sent");
    expect(catcher.mails.map((m) => m.secure)).toEqual([false]);
    await catcher.close();
  });
});

describe("ACS Email", () => {
  let fake: AcsEmailFake;
  beforeAll(async () => {
    fake = await AcsEmailFake.start();
  });
  afterAll(() => fake.close());

  it("sends through the real SDK: send → 202 with Operation-Location, then the status poll until Succeeded", async () => {
    const sink = await AcsEmailSink.connect(fake.connectionString, {
      from: "DoNotReply@kvguard.azurecomm.net",
      to: ["auditors@contoso.com"],
      secrets: [fake.accessKey, MARKED_SECRET],
      client: { tlsOptions: { ca: fake.caPem } },
      pollIntervalMs: 10,
    });
    const alert = sampleAlert("report-ready");
    await sink.deliver(single(alert));
    expect(fake.rejected).toEqual([]);
    expect(fake.sent).toHaveLength(1);
    const { body, operationId, apiVersion } = fake.sent[0]!;
    expect(apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(body.senderAddress).toBe("DoNotReply@kvguard.azurecomm.net");
    expect(body.recipients.to).toEqual([{ address: "auditors@contoso.com" }]);
    expect(body.content.subject).toBe("[kvguard INFO] November 2026 access review is ready");
    expect(body.content.plainText).toContain(alert.url);
    expect(body.content.html).toContain("<table");
    expect(body.headers).toEqual({ "X-Kvguard-Message": alert.id });
    // The fake answers Running to the first status poll, Succeeded to the second: the SDK polled until done.
    expect(fake.polls.filter((id) => id === operationId)).toHaveLength(2);
    expect(JSON.stringify(fake.sent)).not.toContain(fake.accessKey);
  });

  it("fails without retry when the service refuses the credential", async () => {
    const wrong = `endpoint=${fake.endpoint}/;accesskey=${Buffer.from("not-the-key-not-the-key-not-the-").toString("base64")}`;
    const sink = await AcsEmailSink.connect(wrong, {
      from: "DoNotReply@kvguard.azurecomm.net",
      to: ["a@contoso.com"],
      client: { tlsOptions: { ca: fake.caPem }, retryOptions: { maxRetries: 0 } },
    });
    const error = await sink.deliver(single(sampleAlert("finding"))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining("(401)") as string });
    expect(fake.rejected).toContain("signature mismatch");
  });
});
