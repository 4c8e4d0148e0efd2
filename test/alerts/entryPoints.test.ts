/**
 * @module The timer `alertOutbox` (called from its table definition with a real InvocationContext) and
 * `kvguard alert test` (the built CLI as a child process), both from settings, against Azurite and a local
 * Teams receiver.
 */
import { InvocationContext, type Timer } from "@azure/functions";
import { TableClient } from "@azure/data-tables";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import { single } from "../../src/alerts/message.js";
import { createApp, useApp } from "../../src/app/index.js";
import { sampleAlert } from "../../src/alerts/samples.js";
import { ALERTS_TABLE } from "../../src/alerts/store/alertTable.js";
import { Outbox } from "../../src/alerts/store/outbox.js";
import { alertOutbox } from "../../src/functions/alertOutbox.js";
import { runCli } from "../helpers/cli.js";
import { startTeamsReceiver, type TeamsReceiver } from "./helpers/teamsReceiver.js";

let azurite: RunningAzurite;
let receiver: TeamsReceiver;
let env: Record<string, string>;
beforeAll(async () => {
  [azurite, receiver] = await Promise.all([startAzurite(), startTeamsReceiver()]);
  env = {
    KVGUARD_VAULT_URLS: "https://payments-prod.vault.azure.net",
    AzureWebJobsStorage: azurite.connectionString,
    KVGUARD_ALERT_RULES: JSON.stringify({ channels: { secops: { type: "teams" } }, routes: [{ channels: ["secops"] }] }),
    KVGUARD_ALERT_TEAMS_WEBHOOKS: `secops=${receiver.url}`,
  };
});
afterAll(async () => {
  expect(receiver.received.flatMap((r) => r.errors)).toEqual([]);
  await Promise.all([azurite.stop(), receiver.close()]);
});
afterEach(() => {
  useApp(undefined);
});

function invoke(): Promise<string[]> {
  const logs: string[] = [];
  const context = new InvocationContext({
    functionName: "alertOutbox",
    invocationId: "test",
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(" ")}`),
  });
  return Promise.resolve(alertOutbox.handler({ isPastDue: false } as Timer, context)).then(() => logs);
}

describe("alertOutbox", () => {
  it("says so and does nothing when alerting is not configured", async () => {
    useApp(createApp({ ...env, KVGUARD_ALERT_RULES: undefined, KVGUARD_ALERT_TEAMS_WEBHOOKS: undefined }));
    expect(await invoke()).toEqual(["information: alerts: KVGUARD_ALERT_RULES is not set; nothing to send"]);
  });

  it("delivers what the outbox holds", async () => {
    const table = TableClient.fromConnectionString(azurite.connectionString, ALERTS_TABLE, { allowInsecureConnection: true });
    await table.createTable();
    const alert = sampleAlert("rotation-failed");
    await new Outbox(table).add("secops", single(alert), { attempts: 4, error: "Teams webhook answered 503" }, Date.now() - 3_600_000);
    useApp(createApp(env));
    const before = receiver.delivered().length;
    expect(await invoke()).toContain("information: alerts: outbox 1 delivered, 0 left; 0 summaries sent, 0 queued");
    expect(
      receiver
        .delivered()
        .slice(before)
        .map((c) => JSON.stringify(c).includes(alert.title)),
    ).toEqual([true]);
    expect(await new Outbox(table).list()).toEqual([]);
  });
});

describe("kvguard alert test", () => {
  it("sends a sample of the chosen kind to the named channel", async () => {
    const before = receiver.delivered().length;
    const { code, stdout, stderr } = await runCli(["alert", "test", "--channel", "secops", "--kind", "finding"], { ...process.env, ...env });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^secops \(teams\): sample finding alert delivered \(message [0-9a-f-]{36}\)\n$/);
    expect(receiver.delivered().slice(before)).toHaveLength(1);
  });

  it("names the channels the rules define when asked for another", async () => {
    const { code, stderr } = await runCli(["alert", "test", "--channel", "pager"], { ...process.env, ...env });
    expect(code).toBe(2);
    expect(stderr).toBe("kvguard alert: no channel pager; the rules define secops\n");
  });
});
