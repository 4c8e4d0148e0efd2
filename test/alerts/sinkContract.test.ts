/**
 * @module The contract every registered alert sink keeps, run over the whole registry against each sink's
 * local receiver (a Teams webhook receiver, an smtp-server, the ACS Email endpoint): its settings are
 * registered, documented and checked; it delivers through the dispatcher; a temporary failure is retried; what
 * it cannot deliver waits in the outbox (Azurite) and goes out on the next run; no secret of its settings
 * appears in what it sends, logs or throws; quoted hostile text reaches the reader as text.
 */
import type { TokenCredential } from "@azure/core-auth";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import type { Alert } from "../../src/alerts/alert.js";
import { deliverWithRetry } from "../../src/alerts/delivery.js";
import { AlertDispatcher } from "../../src/alerts/dispatcher.js";
import { settingSecrets } from "../../src/alerts/alerting.js";
import { single } from "../../src/alerts/message.js";
import { parseRules } from "../../src/config/alertRules.js";
import { sampleAlert } from "../../src/alerts/samples.js";
import { SecretLeakError } from "../../src/alerts/secretGuard.js";
import { sinkPlugins } from "../../src/alerts/sinks/registry.js";
import type { Sink, SinkPlugin } from "../../src/alerts/sinks/sink.js";
import { docs } from "../../src/config/docs.js";
import { SINK_SETTINGS } from "../../src/config/sinks/index.js";
import { loadConfig, SETTING_NAMES } from "../../src/config/schema.js";
import { freshTable, TestClock } from "./helpers/alertTable.js";
import { SINK_HARNESSES, type SinkHarness } from "./helpers/sinkHarnesses.js";

const FROM = "DoNotReply@contoso.com";
const TO = ["secops@contoso.com"];
const FAST = { attempts: 2, baseDelayMs: 10, maxWaitMs: 1000 };
const noCredential: TokenCredential = { getToken: () => Promise.resolve(null) };
const HOSTILE = "[click here to re-authenticate](https://evil.example/login) <script>alert(1)</script> ![pixel](https://evil.example/p.png)\n# forged";

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite.stop());

function rulesFor(plugin: SinkPlugin) {
  const parsed = parseRules({ channels: { contract: { type: plugin.type, ...(plugin.mail ? { to: TO } : {}) } }, routes: [{ channels: ["contract"] }] });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.rules;
}

function baseEnv(plugin: SinkPlugin): Record<string, string> {
  return {
    KVGUARD_VAULT_URLS: "https://payments-prod.vault.azure.net",
    AzureWebJobsStorage: azurite.connectionString,
    KVGUARD_ALERT_RULES: JSON.stringify({
      channels: { contract: { type: plugin.type, ...(plugin.mail ? { to: TO } : {}) } },
      routes: [{ channels: ["contract"] }],
    }),
  };
}

describe.each(sinkPlugins.map((plugin) => [plugin.type, plugin] as const))("sink %s", (_type, plugin) => {
  let harness: SinkHarness;
  let env: Record<string, string>;
  let secrets: string[];
  let sink: Sink;

  beforeAll(async () => {
    const start = SINK_HARNESSES[plugin.type];
    if (!start) throw new Error(`sink ${plugin.type} has no local receiver in test/alerts/helpers/sinkHarnesses.ts`);
    harness = await start();
    env = { ...baseEnv(plugin), ...harness.settings, ...(plugin.mail ? { KVGUARD_ALERT_FROM: FROM } : {}) };
    secrets = settingSecrets(env);
    sink = await plugin.create({
      channel: "contract",
      to: TO,
      from: FROM,
      env,
      secrets,
      links: {},
      credential: noCredential,
      ...(harness.ca ? { ca: harness.ca } : {}),
    });
  });
  afterAll(async () => {
    sink?.close?.();
    await harness?.close();
  });
  afterEach(() => {
    harness.recover();
    expect(harness.problems(), "what the receiver found wrong").toEqual([]);
  });

  /** Messages the receiver accepted during `action`. */
  async function accepted(action: () => Promise<unknown>): Promise<{ raw: string[]; shown: string[] }> {
    const before = harness.raw().length;
    await action();
    return { raw: harness.raw().slice(before), shown: harness.shown().slice(before) };
  }

  it("registers documented settings that the settings check requires for its channels", () => {
    expect(plugin.type).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(sinkPlugins.filter((p) => p.type === plugin.type)).toHaveLength(1);
    expect(Object.keys(plugin.settings)).toContain(plugin.connectionSetting);
    for (const [name, schema] of Object.entries(plugin.settings)) {
      expect(SETTING_NAMES, name).toContain(name);
      expect(docs.get(schema)?.description.length ?? 0, `${name} is documented`).toBeGreaterThan(20);
    }
    const missing = loadConfig(baseEnv(plugin));
    expect(missing.ok).toBe(false);
    const problems = missing.ok ? [] : missing.problems.map((p) => p.setting);
    expect(problems).toContain(plugin.connectionSetting);
    if (plugin.mail) expect(problems).toContain("KVGUARD_ALERT_FROM");
    expect(loadConfig(env).ok, "its receiver's settings are accepted").toBe(true);
    for (const secret of harness.secrets) expect(secrets, "the settings' credentials are known secrets").toContain(secret);
  });

  it("delivers a routed alert to its receiver through the dispatcher", async () => {
    const dispatcher = new AlertDispatcher({
      rules: rulesFor(plugin),
      sinks: { contract: sink },
      table: await freshTable(azurite),
      retry: FAST,
      log: () => undefined,
    });
    const alert = { ...sampleAlert("rotation-failed"), title: "Contract delivery check 4711" };
    const got = await accepted(async () => expect(await dispatcher.dispatch([alert])).toMatchObject({ sent: 1, queued: 0 }));
    expect(got.raw).toHaveLength(1);
    expect(got.shown[0]).toContain("Contract delivery check 4711");
  });

  it("retries a temporary failure and delivers once", async () => {
    harness.failNext(1);
    const got = await accepted(async () =>
      expect(await deliverWithRetry(sink, single(sampleAlert("finding")), { attempts: 3, baseDelayMs: 10, maxWaitMs: 1000 })).toMatchObject({ ok: true }),
    );
    expect(got.raw).toHaveLength(1);
  });

  it("keeps what it cannot deliver in the outbox, says why without a secret, and delivers it on the next run", async () => {
    const clock = new TestClock(Date.UTC(2026, 10, 27, 10, 0, 0));
    const logs: string[] = [];
    const dispatcher = new AlertDispatcher({
      rules: rulesFor(plugin),
      sinks: { contract: sink },
      table: await freshTable(azurite),
      clock,
      retry: FAST,
      log: (line) => logs.push(line),
    });
    harness.failNext(1000);
    const alert = sampleAlert("near-expiry-without-policy");
    const failed = await accepted(async () => expect(await dispatcher.dispatch([alert])).toMatchObject({ sent: 0, queued: 1 }));
    expect(failed.raw).toEqual([]);
    const [queued] = await dispatcher.outbox.list();
    expect(queued).toMatchObject({ channel: "contract", attempts: FAST.attempts });
    const error = (await sink.deliver(single(alert)).then(
      () => new Error("delivered"),
      (e: unknown) => e,
    )) as Error;
    expect(error).toMatchObject({ name: "DeliveryError", retryable: true });
    for (const secret of secrets) {
      expect(logs.join("\n")).not.toContain(secret);
      expect(JSON.stringify(queued)).not.toContain(secret);
      expect(`${error.message} ${error.cause instanceof Error ? error.cause.message : ""}`).not.toContain(secret);
    }
    harness.recover();
    clock.advance(61);
    const delivered = await accepted(async () => expect(await dispatcher.flush()).toMatchObject({ outboxDelivered: 1, outboxLeft: 0 }));
    expect(delivered.raw).toHaveLength(1);
    expect(await dispatcher.outbox.list()).toEqual([]);
  });

  it("refuses a message quoting a secret of its settings and sends nothing", async () => {
    for (const secret of harness.secrets) {
      const leaking: Alert = { ...sampleAlert("rotation-failed"), explanation: `the server said: bad password ${secret}` };
      const got = await accepted(async () => expect(sink.deliver(single(leaking))).rejects.toBeInstanceOf(SecretLeakError));
      expect(got.raw).toEqual([]);
    }
    const sent = await accepted(() => sink.deliver(single(sampleAlert("finding"))));
    for (const secret of secrets) for (const raw of sent.raw) expect(raw).not.toContain(secret);
  });

  it("shows quoted hostile text as text: no script, link or image of its making", async () => {
    const alert: Alert = {
      ...sampleAlert("finding"),
      title: `Unusual reader ${HOSTILE}`,
      who: { principal: HOSTILE, ip: "203.0.113.45" },
      explanation: `${HOSTILE} read the decoy secret.`,
    };
    const got = await accepted(() => sink.deliver(single(alert)));
    expect(got.shown).toHaveLength(1);
    const shown = got.shown[0]!;
    expect(shown).toContain("re-authenticate");
    expect(shown).not.toMatch(/<script|(href|src)="https:\/\/evil\.example/i);
    expect(shown).not.toMatch(/<h1>\s*forged/i);
  });
});

describe("sink registry", () => {
  it("has a local receiver for every registered sink and no receiver for an unknown one", () => {
    expect(Object.keys(SINK_HARNESSES).sort()).toEqual(sinkPlugins.map((p) => p.type).sort());
  });

  it("builds every sink whose settings config/sinks/ lists, with those very settings", () => {
    expect(sinkPlugins.map((p) => p.type)).toEqual(SINK_SETTINGS.map((s) => s.type));
    for (const plugin of sinkPlugins) expect(plugin.settings).toBe(SINK_SETTINGS.find((s) => s.type === plugin.type)!.settings);
  });

  it("is what the rules accept as channel types", () => {
    const parsed = parseRules({ channels: { x: { type: "pager" } }, routes: [{ channels: ["x"] }] });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.problems.join("\n")).toContain(`Use ${sinkPlugins.map((p) => p.type).join(", ")}`);
  });
});
