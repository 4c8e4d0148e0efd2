/**
 * The local receiver of every registered sink type, as the sink contract suite drives it: the settings that
 * point a channel named `contract` at it, what it accepted, what a reader would see rendered, and scripted
 * temporary failures. A new sink type adds its receiver here; the suite fails for a sink without one.
 */
import { createTlsMaterial } from "../../../emulator/tls.js";
import { AcsEmailFake } from "./acsEmailFake.js";
import { cardTexts, markdownHtml } from "./cardMarkdown.js";
import { SmtpCatcher } from "../../../dev/alerts/smtpCatcher.js";
import { startTeamsReceiver } from "./teamsReceiver.js";

export interface SinkHarness {
  /** Settings that send channel `contract` to this receiver. */
  settings: Record<string, string>;
  /** The receiver's CA, for the sink's TLS. */
  ca?: string;
  /** Credentials the settings carry, which nothing may ever show. */
  secrets: string[];
  /** Each accepted message as it arrived on the wire. */
  raw(): string[];
  /** Each accepted message as the reader's client renders it (HTML). */
  shown(): string[];
  /** What the receiver found wrong with a request (malformed card, bad signature). */
  problems(): string[];
  failNext(count: number): void;
  recover(): void;
  close(): Promise<void>;
}

const SMTP_PASSWORD = "smtp-contract-password-7Qx";

export const SINK_HARNESSES: Record<string, () => Promise<SinkHarness>> = {
  async teams() {
    const receiver = await startTeamsReceiver();
    const accepted = () => receiver.received.filter((r) => r.status < 300);
    return {
      settings: { KVGUARD_ALERT_TEAMS_WEBHOOKS: `contract=${receiver.url}` },
      secrets: [new URL(receiver.url).searchParams.get("sig")!],
      raw: () => accepted().map((r) => r.raw),
      shown: () => receiver.delivered().map((card) => cardTexts(card).map(markdownHtml).join("\n")),
      problems: () => receiver.received.flatMap((r) => r.errors),
      failNext: (count) => receiver.script(...Array<number>(count).fill(503)),
      recover: () => receiver.unscript(),
      close: () => receiver.close(),
    };
  },
  async smtp() {
    const tls = await createTlsMaterial();
    const catcher = await SmtpCatcher.start({ password: SMTP_PASSWORD, tls });
    return {
      settings: { KVGUARD_ALERT_SMTP_CONNECTION: `smtp://kvguard:${SMTP_PASSWORD}@127.0.0.1:${catcher.port}` },
      ca: tls.caPem,
      secrets: [SMTP_PASSWORD],
      raw: () => catcher.mails.map((m) => m.raw),
      shown: () => catcher.mails.map((m) => (m.parsed.html || "").toString()),
      problems: () => catcher.mails.filter((m) => !m.secure).map(() => "mail sent without STARTTLS"),
      failNext: (count) => catcher.failNext(count),
      recover: () => catcher.recover(),
      close: () => catcher.close(),
    };
  },
  async acs() {
    const fake = await AcsEmailFake.start();
    return {
      settings: { KVGUARD_ALERT_ACS_CONNECTION: fake.connectionString },
      ca: fake.caPem,
      secrets: [fake.accessKey],
      raw: () => fake.sent.map((s) => JSON.stringify(s.body)),
      shown: () => fake.sent.map((s) => s.body.content.html ?? ""),
      problems: () => [...fake.rejected],
      failNext: (count) => fake.failNext(count),
      recover: () => fake.recover(),
      close: () => fake.close(),
    };
  },
};
