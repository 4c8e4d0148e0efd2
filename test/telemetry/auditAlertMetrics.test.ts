/**
 * @module The audit and alert metrics, read through the OpenTelemetry SDK's in-memory exporter: the auditScan
 * timer (real InvocationContext) reads the local Key Vault's audit folder, counts new findings by detector and
 * severity and the folder's ingestion lag; the findings' alerts go to a local Teams webhook that answers 202,
 * then 500, and each delivery is counted sent or failed by sink type.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvocationContext, type Timer } from "@azure/functions";
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import { createApp, useApp, type App } from "../../src/app/index.js";
import { auditScan } from "../../src/functions/auditScan.js";
import { startTeamsReceiver, type TeamsReceiver } from "../alerts/helpers/teamsReceiver.js";
import { flushAudit, startTestVault, type TestVault } from "../helpers/localVault.js";

const VAULT = "metrics-audit";
const OPS = { name: "metrics-ops", upn: "metrics-ops@kvguard.local" };
const TIMER: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
const auditDir = mkdtempSync(join(tmpdir(), "kvguard-metrics-audit-"));

const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
let vault: TestVault;
let azurite: RunningAzurite;
let receiver: TeamsReceiver;
let app: App;

beforeAll(async () => {
  [vault, azurite, receiver] = await Promise.all([startTestVault({ vaults: [VAULT], auditDir }), startAzurite(), startTeamsReceiver()]);
  const env = {
    KVGUARD_VAULT_URLS: `${VAULT}=${vault.url}`,
    KVGUARD_LOCAL_CA_FILE: vault.kv.caFile,
    AzureWebJobsStorage: azurite.connectionString,
    KVGUARD_AUDIT_FOLDER: auditDir,
    KVGUARD_ALERT_RULES: JSON.stringify({ channels: { secops: { type: "teams" } }, routes: [{ channels: ["secops"] }] }),
    KVGUARD_ALERT_TEAMS_WEBHOOKS: `secops=${receiver.url}`,
  };
  app = createApp(env, {
    telemetry: { metricReader: reader, spanExporter: new InMemorySpanExporter() },
    alerts: { retry: { attempts: 1, baseDelayMs: 1, maxWaitMs: 1 } },
    log: () => undefined,
  });
  useApp(app);
});
afterAll(async () => {
  useApp(undefined);
  await app?.close();
  await Promise.all([vault?.kv.close(), azurite?.stop(), receiver?.close()]);
});

/** Sets, deletes and purges a secret: audited writes the destructive-operation detector reports. */
async function purge(name: string, who = OPS): Promise<void> {
  const secrets = vault.clients(who).secrets;
  await secrets.setSecret(name, "not-a-real-value");
  await (await secrets.beginDeleteSecret(name, { intervalInMs: 10 })).pollUntilDone();
  await secrets.purgeDeletedSecret(name);
}

async function scan(): Promise<void> {
  await flushAudit(vault.kv);
  await auditScan.handler(TIMER, new InvocationContext({ functionName: "auditScan", invocationId: "metrics", logHandler: () => undefined }));
}

async function points(name: string): Promise<{ attributes: Record<string, unknown>; value: unknown }[]> {
  metrics.reset();
  await reader.forceFlush();
  const all = metrics.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
  return (all.find((m) => m.descriptor.name === name)?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value }));
}

describe("audit and alert metrics", () => {
  it("count new findings by detector and severity, the folder's lag, and alerts sent", async () => {
    await purge("old-ftp-password");
    await scan();
    const findings = await points("kvguard.findings");
    const purges = findings.find((p) => p.attributes.detector === "impact_destructive_operation");
    expect(purges).toBeDefined();
    expect(Object.keys(purges!.attributes).sort()).toEqual(["detector", "severity"]);
    expect(purges!.value).toBeGreaterThanOrEqual(1);
    const lag = await points("kvguard.audit.ingestion_lag");
    expect(lag).toEqual([{ attributes: { source: "folder" }, value: expect.objectContaining({ count: 1 }) as unknown }]);
    const sent = await points("kvguard.alerts.sent");
    expect(sent).toEqual([{ attributes: { sink: "teams" }, value: receiver.delivered().length }]);
    expect(receiver.delivered().length).toBeGreaterThanOrEqual(1);
  });

  it("count a delivery the webhook refuses as failed", async () => {
    receiver.script(500, 500, 500, 500);
    // Another principal: a new finding (the first one's is merged into its day's), so a new alert.
    await purge("old-smtp-password", { name: "metrics-ops-2", upn: "metrics-ops-2@kvguard.local" });
    await scan();
    receiver.unscript();
    const failed = await points("kvguard.alerts.failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.attributes).toEqual({ sink: "teams" });
    expect(failed[0]!.value).toBeGreaterThanOrEqual(1);
  });
});
