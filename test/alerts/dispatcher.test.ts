/**
 * @module The dispatcher against a local Teams webhook receiver (every card validated by `adaptivecards`)
 * and its state in Azurite's Table Storage: retry on 500, Retry-After on 429, the outbox across runs,
 * duplicates, bursts, quiet hours, digests and routing.
 */
import type { TableClient } from "@azure/data-tables";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import type { Alert } from "../../src/alerts/alert.js";
import { AlertDispatcher } from "../../src/alerts/dispatcher.js";
import { parseRules } from "../../src/config/alertRules.js";
import { sampleAlert } from "../../src/alerts/samples.js";
import { TeamsSink } from "../../src/alerts/sinks/teams.js";
import { freshTable, TestClock } from "./helpers/alertTable.js";
import { startTeamsReceiver, type TeamsReceiver } from "./helpers/teamsReceiver.js";

let azurite: RunningAzurite;
let receiver: TeamsReceiver;
let table: TableClient;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite.stop());
afterEach(async () => {
  // Every card the webhook received, in every test, is a valid Adaptive Card in a well-formed message.
  expect(receiver.received.flatMap((r) => r.errors)).toEqual([]);
  await receiver.close();
});

const FAST = { attempts: 3, baseDelayMs: 20, maxWaitMs: 3000 };

/** 10:00 UTC on a fixed day. */
const MORNING = Date.UTC(2026, 10, 27, 10, 0, 0);

async function setup(channel: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, startMs = MORNING) {
  receiver = await startTeamsReceiver();
  table = await freshTable(azurite);
  const parsed = parseRules({ channels: { secops: { type: "teams", ...channel } }, routes: [{ channels: ["secops"] }], ...extra });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const clock = new TestClock(startMs);
  const logs: string[] = [];
  const dispatcher = new AlertDispatcher({
    rules: parsed.rules,
    sinks: { secops: new TeamsSink(receiver.url) },
    table,
    clock,
    retry: FAST,
    log: (line) => logs.push(line),
  });
  return { dispatcher, clock, logs };
}

function alert(kind: Alert["kind"] = "finding", overrides: Partial<Alert> = {}): Alert {
  return { ...sampleAlert(kind, new Date(MORNING).toISOString()), ...overrides };
}

const titles = (card: Record<string, unknown>) => JSON.stringify(card);

describe("delivery", () => {
  it("retries a webhook 500 and delivers on the next attempt", async () => {
    const { dispatcher } = await setup();
    receiver.script(500);
    const report = await dispatcher.dispatch([alert()]);
    expect(report).toMatchObject({ sent: 1, queued: 0 });
    expect(receiver.received.map((r) => r.status)).toEqual([500, 202]);
    expect(receiver.received[0]!.raw).toBe(receiver.received[1]!.raw);
  });

  it("waits as long as Teams' 429 Retry-After asks before trying again", async () => {
    const { dispatcher } = await setup();
    receiver.script({ status: 429, retryAfter: "1" });
    expect(await dispatcher.dispatch([alert()])).toMatchObject({ sent: 1 });
    const [first, second] = receiver.received;
    expect(second!.atMs - first!.atMs).toBeGreaterThanOrEqual(950);
  });

  it("keeps what still fails in the outbox and delivers it on a later run, honouring a long Retry-After", async () => {
    const { dispatcher, clock, logs } = await setup();
    receiver.script({ status: 429, retryAfter: "120" });
    expect(await dispatcher.dispatch([alert("rotation-failed")])).toMatchObject({ sent: 0, queued: 1 });
    expect(logs.join("\n")).toContain("kept in the outbox");
    const [entry] = await dispatcher.outbox.list();
    expect(entry).toMatchObject({ channel: "secops", attempts: 1 });
    expect(Date.parse(entry!.nextAttemptAt) - clock.ms).toBe(120_000);

    expect(await dispatcher.flush()).toMatchObject({ outboxDelivered: 0, outboxLeft: 1 });
    clock.advance(121);
    receiver.script(503, 503, 503);
    expect(await dispatcher.flush()).toMatchObject({ outboxDelivered: 0, outboxLeft: 1 });
    expect((await dispatcher.outbox.list())[0]).toMatchObject({ attempts: 4 });
    clock.advance(3600);
    expect(await dispatcher.flush()).toMatchObject({ outboxDelivered: 1, outboxLeft: 0 });
    expect(await dispatcher.outbox.list()).toEqual([]);
    expect(receiver.delivered()).toHaveLength(1);
    expect(titles(receiver.delivered()[0]!)).toContain("kvguard rotate payments-prod/db-password");
  });
  it("keeps a summary larger than a Table Storage property whole in the outbox", async () => {
    const { dispatcher, clock } = await setup({ rateLimit: { max: 1, perMinutes: 10 } });
    const long = "x".repeat(1500);
    const burst = Array.from({ length: 40 }, (_, i) => alert("finding", { dedupKey: `big${i}`, title: `finding ${i}`, explanation: `${i} ${long}` }));
    receiver.script(503, 503, 503);
    expect(await dispatcher.dispatch(burst)).toMatchObject({ sent: 0, queued: 1 });
    clock.advance(61);
    expect(await dispatcher.flush()).toMatchObject({ outboxDelivered: 1 });
    const card = receiver.delivered()[0]!;
    expect(titles(card)).toContain('"text":"40 alerts (more than the rate limit at once)"');
    expect((card.body as unknown[]).length).toBe(41);
  });
});

describe("deduplication", () => {
  it("sends the same finding or failing secret once per window", async () => {
    const { dispatcher, clock } = await setup({}, { dedupWindow: "PT1H" });
    const a = alert("finding", { dedupKey: "finding|abc" });
    const failing = alert("rotation-failed", { dedupKey: "rotation-failed|payments-prod/db-password" });
    expect(await dispatcher.dispatch([a, failing])).toMatchObject({ sent: 2, duplicates: 0 });
    expect(
      await dispatcher.dispatch([
        { ...a, id: "again-1" },
        { ...failing, id: "again-2" },
      ]),
    ).toMatchObject({ sent: 0, duplicates: 2 });
    clock.advance(3601);
    expect(await dispatcher.dispatch([{ ...a, id: "later" }])).toMatchObject({ sent: 1, duplicates: 0 });
    expect(receiver.delivered()).toHaveLength(3);
  });
});

describe("rate limit", () => {
  it("collapses a burst over the limit into one summary, and holds what exceeds it until the window moves on", async () => {
    const { dispatcher, clock } = await setup({ rateLimit: { max: 3, perMinutes: 10 } });
    const burst = Array.from({ length: 12 }, (_, i) => alert("finding", { dedupKey: `f${i}`, title: `finding ${i}` }));
    expect(await dispatcher.dispatch(burst)).toMatchObject({ sent: 1, held: 0 });
    expect(receiver.delivered()).toHaveLength(1);
    expect(titles(receiver.delivered()[0]!)).toContain("12 alerts (more than the rate limit at once)");

    expect(await dispatcher.dispatch([alert("finding", { dedupKey: "g1" })])).toMatchObject({ sent: 1 });
    expect(await dispatcher.dispatch([alert("finding", { dedupKey: "g2" })])).toMatchObject({ sent: 1 });
    // The window's 3 messages are used: the next ones wait.
    expect(await dispatcher.dispatch([alert("finding", { dedupKey: "h1" }), alert("finding", { dedupKey: "h2" })])).toMatchObject({ sent: 0, held: 2 });
    expect(await dispatcher.flush()).toMatchObject({ summariesSent: 0 });
    clock.advance(601);
    expect(await dispatcher.flush()).toMatchObject({ summariesSent: 1 });
    expect(receiver.delivered()).toHaveLength(4);
    expect(titles(receiver.delivered()[3]!)).toContain("2 alerts (more than the rate limit at once)");
  });
});

describe("quiet hours and digests", () => {
  it("holds alerts during quiet hours (urgent ones go through) and sends one summary when they end", async () => {
    const night = Date.UTC(2026, 10, 27, 23, 0, 0);
    const { dispatcher, clock } = await setup({ quietHours: "22:00-07:00", urgent: "critical" }, {}, night);
    const report = await dispatcher.dispatch([
      alert("finding", { dedupKey: "q1", severity: "high" }),
      alert("rotation-failed", { dedupKey: "q2", severity: "medium" }),
      alert("finding", { dedupKey: "q3", severity: "critical", title: "Canary secret touched at night" }),
    ]);
    expect(report).toMatchObject({ sent: 1, held: 2 });
    expect(titles(receiver.delivered()[0]!)).toContain("Canary secret touched at night");
    clock.advance(3600 * 4);
    expect(await dispatcher.flush()).toMatchObject({ summariesSent: 0 });
    clock.advance(3600 * 4);
    expect(await dispatcher.flush()).toMatchObject({ summariesSent: 1 });
    const digest = titles(receiver.delivered()[1]!);
    expect(digest).toContain('"text":"2 alerts (held during quiet hours)"');
    expect(digest).toContain('"text":"1 high, 1 medium"');
    expect(await dispatcher.flush()).toMatchObject({ summariesSent: 0 });
  });

  it("collects low-severity alerts into a daily digest at the channel's time; others go at once", async () => {
    const { dispatcher, clock } = await setup({ digest: { at: "08:00", upTo: "low" } });
    const report = await dispatcher.dispatch([
      alert("finding", { dedupKey: "d1", severity: "low" }),
      alert("rotation-succeeded", { dedupKey: "d2", severity: "info" }),
      alert("finding", { dedupKey: "d3", severity: "high" }),
    ]);
    expect(report).toMatchObject({ sent: 1, held: 2 });
    clock.advance(3600 * 12);
    expect(await dispatcher.flush()).toMatchObject({ summariesSent: 0 });
    clock.advance(3600 * 10 + 60);
    expect(await dispatcher.flush()).toMatchObject({ summariesSent: 1 });
    expect(titles(receiver.delivered()[1]!)).toContain('"text":"2 alerts (daily digest)"');
    expect(titles(receiver.delivered()[1]!)).toContain('"text":"1 low, 1 info"');
  });
});

describe("routing", () => {
  it("sends an alert to every channel its routes name, by kind, severity and vault glob; counts the unrouted", async () => {
    receiver = await startTeamsReceiver();
    const other = await startTeamsReceiver();
    table = await freshTable(azurite);
    const parsed = parseRules({
      channels: { secops: { type: "teams" }, platform: { type: "teams" } },
      routes: [
        { kinds: ["finding"], minSeverity: "high", vaults: ["payments-*"], channels: ["secops"] },
        { kinds: ["rotation-failed", "near-expiry-without-policy"], channels: ["platform", "secops"] },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const dispatcher = new AlertDispatcher({
      rules: parsed.rules,
      sinks: { secops: new TeamsSink(receiver.url), platform: new TeamsSink(other.url) },
      table,
      retry: FAST,
      log: () => undefined,
    });
    const report = await dispatcher.dispatch([
      alert("finding", { dedupKey: "r1" }),
      alert("finding", { dedupKey: "r2", severity: "medium" }),
      alert("finding", { dedupKey: "r3", vault: "hr-prod" }),
      alert("rotation-failed", { dedupKey: "r4" }),
      alert("rotation-succeeded", { dedupKey: "r5" }),
    ]);
    expect(report).toMatchObject({ received: 5, sent: 3, unrouted: 3 });
    expect(receiver.delivered()).toHaveLength(2);
    expect(other.delivered()).toHaveLength(1);
    expect(other.received.flatMap((r) => r.errors)).toEqual([]);
    await other.close();
  });
});

describe("secrets", () => {
  it("refuses an alert carrying a value the caller marks as secret; sends the rest", async () => {
    const { dispatcher, logs } = await setup();
    const secret = "hunter2-but-longer-Zq8#";
    const report = await dispatcher.dispatch(
      [alert("rotation-failed", { dedupKey: "s1", explanation: `target said: bad password ${secret}` }), alert("finding", { dedupKey: "s2" })],
      { secrets: [secret] },
    );
    expect(report).toMatchObject({ sent: 1, refused: [{ reason: expect.stringContaining("contains a value marked as secret") as string }] });
    expect(receiver.received.map((r) => r.raw).join("")).not.toContain(secret);
    expect(logs.join("\n")).not.toContain(secret);
  });

  it("never stores in the outbox a message the sink's own guard refused", async () => {
    receiver = await startTeamsReceiver();
    table = await freshTable(azurite);
    const parsed = parseRules({ channels: { secops: { type: "teams" } }, routes: [{ channels: ["secops"] }] });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    const secret = "webhook-signature-abcdef";
    const logs: string[] = [];
    const dispatcher = new AlertDispatcher({
      rules: parsed.rules,
      sinks: { secops: new TeamsSink(receiver.url, { secrets: [secret] }) },
      table,
      retry: FAST,
      log: (line) => logs.push(line),
    });
    const report = await dispatcher.dispatch([alert("finding", { dedupKey: "leak", explanation: `echoed ${secret}` })]);
    expect(report).toMatchObject({ sent: 0, queued: 0 });
    expect(receiver.received).toEqual([]);
    expect(await dispatcher.outbox.list()).toEqual([]);
    expect(logs).toEqual(["alerts: secops: refused to send the Teams card: it contains a value marked as secret"]);
  });
});
