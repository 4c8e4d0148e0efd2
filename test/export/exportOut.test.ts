/**
 * The export against the local stack (local Key Vault, Azurite, local cloud): a real rotation, seeded history
 * rows for the outcomes a test cannot reach quickly (failed, abandoned, revoked), stored findings and a real
 * compliance report in the report container, then the `exportOut` timer (a real InvocationContext): every
 * event type reaches a webhook subscribed to the local Event Grid topic, fitting its schema, and history and
 * findings are read back from the local Log Analytics tables. Faults injected on the local cloud
 * (`POST /management/faults`) stop a run without losing anything; the next run sends the rest once.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvocationContext, type Timer } from "@azure/functions";
import { TableClient } from "@azure/data-tables";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FINDINGS_TABLE as FINDINGS_STATE_TABLE } from "../../src/audit/store/findingStore.js";
import { TableFindingStore } from "../../src/audit/store/findingStore.js";
import { devClaims } from "../../src/azure/devCredential.js";
import type { EventType } from "../../src/export/events/catalogue.js";
import { createApp, useApp } from "../../src/app/index.js";
import { FINDINGS_TABLE, ROTATION_TABLE, ruleProperties } from "../../src/export/tables.js";
import { exportOut } from "../../src/functions/exportOut.js";
import type { History } from "../../src/rotation/history.js";
import { runCli } from "../helpers/cli.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture } from "../helpers/rotation.js";
import { expectEveryEventType, finding, seeded, seedExportRecords, SEEDED_VALUE } from "../helpers/exportFixture.js";
import { WebhookReceiver } from "../helpers/webhookReceiver.js";
import { adminCall } from "../helpers/localCloud.js";

const KVGUARD_OID = devClaims({ name: "kvguard" }).oid!;
const WORKSPACE = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.OperationalInsights/workspaces/sentinel";

let stack: LocalStack;
let hook: WebhookReceiver;
let env: Record<string, string>;
let history: History;
const capture = new Capture();

async function cloudAdmin(method: string, path: string, body?: unknown): Promise<{ status: number; json: () => unknown }> {
  return adminCall(stack.cloud.url, stack.tv.kv.tls.caPem, method, path, body);
}

async function rows(table: string): Promise<Record<string, unknown>[]> {
  return ((await cloudAdmin("GET", `/management/monitor/tables/${table}`)).json() as { row: Record<string, unknown> }[]).map((r) => r.row);
}

async function runExportOut(): Promise<string[]> {
  const logs: string[] = [];
  const context = new InvocationContext({
    functionName: "exportOut",
    invocationId: "test",
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(" ")}`),
  });
  // The app settings as the host hands them over: the process's app, built from them.
  useApp(createApp(env));
  await exportOut.handler({ isPastDue: false } as Timer, context);
  return logs;
}

beforeAll(async () => {
  stack = await startLocalStack();
  hook = await WebhookReceiver.start();
  const topic = (
    await cloudAdmin("POST", "/management/eventgrid/topics", {
      name: "kvguard-events",
      inputSchema: "CloudEventSchemaV1_0",
      disableLocalAuth: true,
      dataSenders: [KVGUARD_OID],
    })
  ).json() as { endpoint: string };
  expect((await cloudAdmin("POST", "/management/eventgrid/topics/kvguard-events/subscriptions", { name: "automation", endpoint: hook.url })).status).toBe(201);
  await cloudAdmin("POST", "/management/monitor/dataCollectionEndpoints", { name: "kvguard-dce" });
  const rule = (
    await cloudAdmin("POST", "/management/monitor/dataCollectionRules", {
      name: "kvguard-dcr",
      dataCollectionEndpoint: "kvguard-dce",
      publishers: [KVGUARD_OID],
      properties: ruleProperties(WORKSPACE),
    })
  ).json() as { immutableId: string; ingestionEndpoint: string };
  env = {
    ...stack.env,
    KVGUARD_EXPORT_TOPIC_ENDPOINT: topic.endpoint,
    KVGUARD_EXPORT_DCE_ENDPOINT: rule.ingestionEndpoint,
    KVGUARD_EXPORT_DCR_ID: rule.immutableId,
  };

  history = await seedExportRecords(stack, env, capture);
});

afterAll(async () => {
  await hook?.close();
  await stack?.stop();
});

afterEach(() => {
  useApp(undefined);
});

describe("exportOut", () => {
  it("publishes every kind of record as its CloudEvent and ingests history and findings", async () => {
    const logs = await runExportOut();
    expect(logs.join("\n")).toMatch(/information: export eventgrid: \d+ sent, 0 already sent, 0 refused/);
    expect(logs.join("\n")).toMatch(/information: export loganalytics: \d+ sent, 0 already sent, 0 refused/);
    await expectEveryEventType(hook);
    const byType = (type: EventType) =>
      hook
        .delivered()
        .filter((e) => e.type === type)
        .map((e) => e.data as Record<string, unknown>);
    expect(byType("Kvguard.Rotation.Succeeded")).toEqual([
      expect.objectContaining({ vault: "local", name: "db-password", trigger: "manual", version: expect.any(String) as string }),
    ]);
    expect(byType("Kvguard.Rotation.Failed")).toEqual([
      expect.objectContaining({ name: "seeded-secret", step: "test", message: "the new credential was refused: 401" }),
    ]);
    expect(byType("Kvguard.Rotation.Revoked")).toEqual([expect.objectContaining({ previousVersion: "0123456789abcdef0123456789abcdef" })]);
    expect(
      byType("Kvguard.Finding.Raised")
        .map((f) => f.id)
        .sort(),
    ).toEqual(["f-1", "f-2"]);
    expect(byType("Kvguard.Object.ExpiryNotice")).toEqual([
      expect.objectContaining({ vault: "local", objectType: "secret", name: "expiring-api-key", status: "expiring", stage: 7, daysLeft: 4 }),
    ]);
    expect(byType("Kvguard.Report.Ready")).toEqual([
      expect.objectContaining({ scope: "all", snapshot: expect.stringMatching(/^snapshots\/all\/.*\.json$/) as string }),
    ]);
    // No event carries a secret value or the HMAC history keeps of one.
    const text = JSON.stringify(hook.delivered());
    expect(text).not.toContain(SEEDED_VALUE);
    expect(text).not.toContain("valueHmac");

    const rotationRows = await rows(ROTATION_TABLE.table);
    expect(rotationRows.filter((r) => r.ObjectName === "db-password").map((r) => r.Step)).toEqual(expect.arrayContaining(["create", "finish"]));
    expect(
      rotationRows
        .filter((r) => r.ObjectName === "seeded-secret")
        .map((r) => `${String(r.Step)}:${String(r.Outcome)}`)
        .sort(),
    ).toEqual(["abandon:ok", "check:skipped", "revoke:ok", "test:failed"]);
    const findingRows = await rows(FINDINGS_TABLE.table);
    expect(findingRows.map((r) => r.FindingId).sort()).toEqual(["f-1", "f-2"]);
    expect(findingRows.find((r) => r.FindingId === "f-1")).toMatchObject({
      Detector: "secret-enumeration",
      Severity: "high",
      RecordCount: 42,
      CallerIpAddress: "203.0.113.7",
      Evidence: ["c0ffee00-0000-0000-0000-000000000001"],
    });
  });

  it("sends nothing twice: a second run, and a new exporter (another process), find everything sent", async () => {
    const delivered = hook.delivered().length;
    const logs = await runExportOut();
    expect(logs.join("\n")).toMatch(/export eventgrid: 0 sent/);
    expect(logs.join("\n")).toMatch(/export loganalytics: 0 sent/);
    // A finding merged again (another scan) is not raised again.
    const findings = TableClient.fromConnectionString(stack.azurite.connectionString, FINDINGS_STATE_TABLE, { allowInsecureConnection: true });
    await new TableFindingStore(findings).upsert([finding("f-1", { count: 3 })]);
    const reports = await (await createApp(env).exporter())!.run();
    expect(reports.map((r) => [r.sink, r.sent, r.failed.length])).toEqual([
      ["eventgrid", 0, 0],
      ["loganalytics", 0, 0],
    ]);
    expect(hook.delivered().length).toBe(delivered);
    expect((await rows(FINDINGS_TABLE.table)).length).toBe(2);
  });

  it("loses nothing while ingestion and the topic fail: the cursor waits, the next run sends the rest once", async () => {
    const faults = [
      { status: 503, count: 50, match: "POST /dce/" },
      { status: 500, count: 50, match: "POST /eventgrid/" },
    ];
    for (const fault of faults) expect((await cloudAdmin("POST", "/management/faults", fault)).status).toBe(201);
    for (const name of ["outage-a", "outage-b"])
      await history.record(seeded("finish", "ok", { name, rotationId: `r-${name}`, version: "v2", at: "2026-03-03T08:00:00.000Z" }));
    // No overlap: only the cursor decides what the next run reads again.
    const exporter = async () => (await createApp(env).exporter({ maxRetries: 1, overlapMs: 0 }))!;
    const failed = await (await exporter()).run();
    expect(failed.map((r) => [r.sink, r.sent])).toEqual([
      ["eventgrid", 0],
      ["loganalytics", 0],
    ]);
    expect(failed[0]!.failed).toEqual([expect.objectContaining({ source: "history", status: 500 })]);
    expect(failed[1]!.failed).toEqual([expect.objectContaining({ source: "history", status: 503 })]);
    expect((await rows(ROTATION_TABLE.table)).some((r) => String(r.ObjectName).startsWith("outage-"))).toBe(false);

    await cloudAdmin("DELETE", "/management/faults");
    await history.record(seeded("finish", "ok", { name: "outage-c", rotationId: "r-outage-c", version: "v3", at: "2026-03-03T09:00:00.000Z" }));
    const resumed = await (await exporter()).run();
    expect(resumed.map((r) => [r.sink, r.sent, r.failed.length])).toEqual([
      ["eventgrid", 3, 0],
      ["loganalytics", 3, 0],
    ]);
    await hook.waitFor(
      (r) => r.delivered().filter((e) => String((e.data as { name?: string }).name).startsWith("outage-")).length === 3,
      "the events held back by the outage",
    );
    const names = (await rows(ROTATION_TABLE.table)).map((r) => String(r.ObjectName)).filter((n) => n.startsWith("outage-"));
    expect(names.sort()).toEqual(["outage-a", "outage-b", "outage-c"]);
  });

  it("rides out a 429 with Retry-After and a 503 within one run (the clients' own retries)", async () => {
    const faults = [
      { status: 429, count: 1, match: "POST /dce/", retryAfterSeconds: 0 },
      { status: 503, count: 1, match: "POST /eventgrid/" },
    ];
    for (const fault of faults) expect((await cloudAdmin("POST", "/management/faults", fault)).status).toBe(201);
    await history.record(seeded("finish", "ok", { name: "throttled", rotationId: "r-throttled", version: "v4", at: "2026-03-03T10:00:00.000Z" }));
    const reports = await (await createApp(env).exporter({ maxRetries: 2 }))!.run();
    expect(reports.map((r) => [r.sink, r.sent, r.failed])).toEqual([
      ["eventgrid", 1, []],
      ["loganalytics", 1, []],
    ]);
    // Both faults were met (and ridden out).
    expect(((await cloudAdmin("GET", "/management/faults")).json() as { remaining: number }[]).map((f) => f.remaining)).toEqual([0, 0]);
    expect((await rows(ROTATION_TABLE.table)).filter((r) => r.ObjectName === "throttled").length).toBe(1);
  });

  it("refuses, counts and never sends a record holding a setting's secret value", async () => {
    const accountKey = /AccountKey=([^;]+)/.exec(stack.env.AzureWebJobsStorage!)![1]!;
    await history.record(
      seeded("test", "failed", { name: "leaky", rotationId: "r-leak", message: `connection failed with key ${accountKey}`, at: "2026-03-04T08:00:00.000Z" }),
    );
    const logs = await runExportOut();
    expect(logs.join("\n")).toMatch(/warning: export eventgrid: 0 sent, \d+ already sent, 1 refused/);
    expect(logs.join("\n")).toMatch(/warning: export loganalytics: 0 sent, \d+ already sent, 1 refused/);
    expect(logs.join("\n")).toContain("contains a value marked as secret");
    expect(logs.join("\n")).not.toContain(accountKey);
    expect((await rows(ROTATION_TABLE.table)).some((r) => r.ObjectName === "leaky")).toBe(false);
    expect(JSON.stringify(hook.delivered())).not.toContain(accountKey);
    // Refused once: the next run does not try again.
    expect((await runExportOut()).join("\n")).toMatch(/export eventgrid: 0 sent, \d+ already sent, 0 refused/);
  });

  it("splits what is over 1 MB into calls Event Grid and the ingestion API each take (they refuse larger ones with 413)", async () => {
    const findings = TableClient.fromConnectionString(stack.azurite.connectionString, FINDINGS_STATE_TABLE, { allowInsecureConnection: true });
    const many = Array.from({ length: 400 }, (_, i) => finding(`bulk-${String(i).padStart(3, "0")}`, { summary: `bulk ${i} ${"x".repeat(3000)}` }));
    expect(Buffer.byteLength(JSON.stringify(many))).toBeGreaterThan(1024 * 1024);
    await new TableFindingStore(findings).upsert(many);
    const reports = await (await createApp(env).exporter({ maxRetries: 0 }))!.run();
    expect(reports.map((r) => [r.sink, r.sent, r.failed])).toEqual([
      ["eventgrid", 400, []],
      ["loganalytics", 400, []],
    ]);
    await hook.waitFor((r) => r.delivered().filter((e) => String((e.data as { id?: string }).id).startsWith("bulk-")).length === 400, "400 findings");
    expect((await rows(FINDINGS_TABLE.table)).filter((r) => String(r.FindingId).startsWith("bulk-")).length).toBe(400);
  });

  it("runs once from the CLI: kvguard export --reports DIR sends a folder's new report snapshot", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvguard-export-"));
    const report = await runCli(["report", "--format", "json", "--out", dir], { ...process.env, ...env });
    expect(report.code, report.stderr).toBe(0);
    const before = hook.deliveredTypes().filter((t) => t === "Kvguard.Report.Ready").length;
    const run = await runCli(["export", "--reports", dir], { ...process.env, ...env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^export eventgrid: 1 sent, \d+ already sent, 0 refused\nexport loganalytics: 0 sent/);
    await hook.waitFor((r) => r.deliveredTypes().filter((t) => t === "Kvguard.Report.Ready").length === before + 1, "the folder's report");
    const none = await runCli(["export"], { ...process.env, ...stack.env });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining("nothing to export to: set KVGUARD_EXPORT_TOPIC_ENDPOINT") as string });
  });

  it("says so when no destination is set", async () => {
    env = { ...stack.env };
    expect(await runExportOut()).toEqual([
      "information: export: neither KVGUARD_EXPORT_TOPIC_ENDPOINT nor KVGUARD_EXPORT_DCE_ENDPOINT is set; nothing to send",
    ]);
  });
});
