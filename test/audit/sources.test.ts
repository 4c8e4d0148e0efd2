/**
 * @module The remote sources with the real SDKs: the storage archive on Azurite (incremental by blob and
 * offset, a partial last line left for next time, malformed lines with blob and line), Log Analytics
 * through the real LogsQueryClient pointed at a local fake of the documented query API (both tables,
 * time slices split when truncated, partial failures reported and not skipped), and the state stores.
 */
import { TableClient } from "@azure/data-tables";
import { LogsQueryClient } from "@azure/monitor-query-logs";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import { archivePath } from "../../emulator/audit/writer.js";
import { Baseline } from "../../src/audit/baseline.js";
import type { AuditRecord } from "../../src/audit/record.js";
import { readLogAnalytics } from "../../src/audit/sources/logAnalytics.js";
import { IngestReport } from "../../src/audit/sources/report.js";
import { ARCHIVE_CONTAINER, readStorageArchive } from "../../src/audit/sources/storageArchive.js";
import { TableFindingStore } from "../../src/audit/store/findingStore.js";
import { TableStateStore } from "../../src/audit/store/tableStateStore.js";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { generateCorpus } from "../helpers/auditCorpus.js";
import { startLogAnalyticsFake, type FakeTable } from "../helpers/logAnalyticsFake.js";

const HOUR = 3_600_000;
const corpus = generateCorpus({ seed: 11, days: 1 });
const records = corpus.records as (Record<string, unknown> & {
  time: string;
  resourceId: string;
  properties: Record<string, unknown>;
  identity: { claim?: Record<string, string> };
})[];
const startMs = Date.parse(records[0]!.time.slice(0, 10));

async function collect(batches: AsyncIterable<AuditRecord[]>): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite?.stop());

describe("storage archive source", () => {
  let container: ContainerClient;
  beforeAll(async () => {
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(ARCHIVE_CONTAINER);
    await container.createIfNotExists();
    const blobs = new Map<string, string[]>();
    for (const r of records) {
      const path = archivePath(r.resourceId, new Date(r.time));
      blobs.set(path, [...(blobs.get(path) ?? []), JSON.stringify(r)]);
    }
    for (const [path, lines] of blobs) {
      const blob = container.getAppendBlobClient(path);
      await blob.create();
      const text = lines.join("\n") + "\n";
      await blob.appendBlock(text, Buffer.byteLength(text));
    }
  });

  it("reads every blob once, then only what was appended, leaving a partial last line", async () => {
    const endMs = startMs + 24 * HOUR;
    const report = new IngestReport();
    // "Now" is inside the last hour, whose blob Azure is still appending to.
    const first = readStorageArchive(container, { report, sinceMs: startMs, nowMs: endMs - 30 * 60_000 });
    expect(await collect(first.records)).toHaveLength(records.length);
    expect(report.malformed).toBe(0);

    // The current hour's blob grows: two records, a bad line, and half a record still being written.
    const lastHour = archivePath(records[0]!.resourceId, new Date(endMs - HOUR));
    const blob = container.getAppendBlobClient(lastHour);
    const extra = { ...records[0]!, time: new Date(endMs - 1000).toISOString() };
    const whole = JSON.stringify(extra);
    const appended = `${whole}\n{broken\n${whole}\n${whole.slice(0, 40)}`;
    await blob.appendBlock(appended, Buffer.byteLength(appended));
    const report2 = new IngestReport();
    const second = readStorageArchive(container, { report: report2, sinceMs: startMs, nowMs: endMs - 30 * 60_000, watermark: first.watermark });
    expect(await collect(second.records)).toHaveLength(2);
    expect(report2.problems).toHaveLength(1);
    expect(report2.problems[0]).toMatchObject({ source: lastHour, message: expect.stringMatching(/not JSON/) as unknown });
    expect(report2.problems[0]!.line).toBeGreaterThan(2);

    const rest = `${whole.slice(40)}\n`;
    await blob.appendBlock(rest, Buffer.byteLength(rest));
    const third = readStorageArchive(container, { report: new IngestReport(), sinceMs: startMs, nowMs: endMs, watermark: second.watermark });
    const finished = await collect(third.records);
    expect(finished).toHaveLength(1);
    expect(finished[0]!.timeMs).toBe(Date.parse(extra.time));
  });
});

/** A corpus record as a Log Analytics row of either table. */
function diagnosticsRow(r: (typeof records)[number]): unknown[] {
  const c = r.identity.claim ?? {};
  return [
    r.time,
    r.resourceId,
    r.operationName,
    r.resultSignature,
    String(r.properties.httpStatusCode),
    r.durationMs,
    r.callerIpAddress,
    r.correlationId,
    r.properties.id ?? "",
    r.properties.requestUri,
    r.properties.clientInfo,
    c.oid ?? "",
    c.appid ?? "",
    c.upn ?? "",
  ];
}
const DIAGNOSTICS_COLUMNS = [
  "TimeGenerated:datetime",
  "ResourceId:string",
  "OperationName:string",
  "ResultSignature:string",
  "httpStatusCode_d:real",
  "DurationMs:long",
  "CallerIPAddress:string",
  "CorrelationId:string",
  "id_s:string",
  "requestUri_s:string",
  "clientInfo_s:string",
  "identity_claim_oid_g:guid",
  "identity_claim_appid_g:guid",
  "identity_claim_upn_s:string",
];
function azkvRow(r: (typeof records)[number]): unknown[] {
  return [
    r.time,
    r.resourceId.toLowerCase(),
    r.operationName,
    r.resultSignature,
    r.properties.httpStatusCode,
    Number(r.durationMs),
    r.callerIpAddress,
    r.correlationId,
    JSON.stringify(r.identity),
    r.properties.id ?? "",
    r.properties.requestUri,
    r.properties.clientInfo,
  ];
}
const AZKV_COLUMNS = [
  "TimeGenerated:datetime",
  "_ResourceId:string",
  "OperationName:string",
  "ResultSignature:string",
  "HttpStatusCode:int",
  "DurationMs:int",
  "CallerIpAddress:string",
  "CorrelationId:string",
  "Identity:dynamic",
  "Id:string",
  "RequestUri:string",
  "ClientInfo:string",
];
const columns = (list: string[]) => list.map((c) => ({ name: c.split(":")[0]!, type: c.split(":")[1]! }));

describe("Log Analytics source (real LogsQueryClient, local fake of the query API)", () => {
  const half = Math.floor(records.length / 2);
  const tables: Record<string, FakeTable> = {
    AzureDiagnostics: { columns: columns(DIAGNOSTICS_COLUMNS), rows: records.slice(0, half).map(diagnosticsRow) },
    AZKVAuditLogs: { columns: columns(AZKV_COLUMNS), rows: records.slice(half).map(azkvRow) },
  };
  const client = (fake: { endpoint: string; ca: string }) =>
    new LogsQueryClient(new DevTokenCredential({ name: "kvguard" }), { endpoint: fake.endpoint, tlsOptions: { ca: fake.ca }, retryOptions: { maxRetries: 0 } });

  it("reads both tables in time slices, splitting slices the service truncated", async () => {
    const fake = await startLogAnalyticsFake({ workspaces: { ws1: tables }, rowLimit: 150 });
    try {
      const report = new IngestReport();
      const read = readLogAnalytics(client(fake), {
        workspaceId: "ws1",
        report,
        sinceMs: startMs,
        nowMs: startMs + 25 * HOUR,
        sliceMs: 6 * HOUR,
        ingestionDelayMs: 10 * 60_000,
        lateArrivalMs: 48 * HOUR,
      });
      const got = await collect(read.records);
      expect(report.malformed).toBe(0);
      expect(report.partial).toEqual([]);
      expect(got).toHaveLength(records.length);
      expect(new Set(got.map((r) => r.correlationId))).toEqual(new Set(records.map((r) => r.correlationId)));
      expect(got.find((r) => r.principal.upn)?.principal.upn).toMatch(/@contoso\.example$/);
      const spans = fake.queries.map((q) => Date.parse(q.to) - Date.parse(q.from));
      expect(Math.min(...spans)).toBeLessThan(6 * HOUR);
      expect(new Set(fake.queries.map((q) => q.table))).toEqual(new Set(["AzureDiagnostics", "AZKVAuditLogs"]));
      expect(read.watermark.untilMs).toBe(startMs + 25 * HOUR - 10 * 60_000);
    } finally {
      await fake.close();
    }
  });

  it("stops as far behind now as the ingestion delay says", async () => {
    const fake = await startLogAnalyticsFake({ workspaces: { ws1: tables } });
    try {
      const nowMs = startMs + 3 * HOUR;
      const read = readLogAnalytics(client(fake), {
        workspaceId: "ws1",
        report: new IngestReport(),
        sinceMs: startMs,
        nowMs,
        sliceMs: HOUR,
        ingestionDelayMs: 45 * 60_000,
        lateArrivalMs: 48 * HOUR,
      });
      await collect(read.records);
      expect(read.watermark.untilMs).toBe(nowMs - 45 * 60_000);
      expect(Math.max(...fake.queries.map((q) => Date.parse(q.to)))).toBe(nowMs - 45 * 60_000);
    } finally {
      await fake.close();
    }
  });

  it("reads a record that reached the workspace late in the scan after it arrived, once", async () => {
    // Three records at 01:00; the second is ingested only at 05:00 (an agent's backlog), long after the
    // first scan (at 02:00) moved the watermark past its own time.
    const three = records.slice(0, 3).map((r, i) => ({ ...r, time: new Date(startMs + HOUR + i * 1000).toISOString() }));
    const ids = records.slice(0, 3).map((r) => r.correlationId as string);
    let nowMs = startMs + 2 * HOUR;
    const late: Record<string, FakeTable> = {
      AzureDiagnostics: { columns: columns(DIAGNOSTICS_COLUMNS), rows: [], ingestedMs: [] },
      AZKVAuditLogs: {
        columns: columns(AZKV_COLUMNS),
        rows: three.map(azkvRow),
        ingestedMs: [startMs + HOUR + 60_000, startMs + 5 * HOUR, startMs + HOUR + 60_000],
      },
    };
    const fake = await startLogAnalyticsFake({ workspaces: { ws1: late }, nowMs: () => nowMs });
    try {
      const options = { workspaceId: "ws1", sinceMs: startMs, sliceMs: HOUR, ingestionDelayMs: 10 * 60_000, lateArrivalMs: 48 * HOUR };
      const first = readLogAnalytics(client(fake), { ...options, report: new IngestReport(), nowMs });
      expect((await collect(first.records)).map((r) => r.correlationId)).toEqual([ids[0], ids[2]]);
      nowMs = startMs + 6 * HOUR;
      const second = readLogAnalytics(client(fake), { ...options, report: new IngestReport(), nowMs, watermark: first.watermark });
      expect((await collect(second.records)).map((r) => r.correlationId)).toEqual([ids[1]]);
      const third = readLogAnalytics(client(fake), { ...options, report: new IngestReport(), nowMs: startMs + 7 * HOUR, watermark: second.watermark });
      expect(await collect(third.records)).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it("reports a partial failure and keeps the watermark before the failed slice", async () => {
    const failedFrom = new Date(startMs + 12 * HOUR).toISOString();
    const fake = await startLogAnalyticsFake({ workspaces: { ws1: tables }, failPartially: (q) => q.table === "AZKVAuditLogs" && q.from === failedFrom });
    try {
      const report = new IngestReport();
      const read = readLogAnalytics(client(fake), {
        workspaceId: "ws1",
        report,
        sinceMs: startMs,
        nowMs: startMs + 24 * HOUR,
        sliceMs: 6 * HOUR,
        ingestionDelayMs: 10 * 60_000,
        lateArrivalMs: 48 * HOUR,
      });
      const got = await collect(read.records);
      // Rows of the last ten minutes are not read yet: Log Analytics ingests with a delay.
      expect(got).toHaveLength(records.filter((r) => Date.parse(r.time) < startMs + 24 * HOUR - 10 * 60_000).length);
      expect(report.partial).toHaveLength(1);
      expect(report.partial[0]).toMatch(/workspace ws1 AZKVAuditLogs .*PartialError/);
      expect(read.watermark.untilMs).toBe(startMs + 12 * HOUR);
      const missing = readLogAnalytics(client(fake), {
        workspaceId: "nope",
        report,
        sinceMs: startMs,
        nowMs: startMs + HOUR,
        sliceMs: HOUR,
        ingestionDelayMs: 10 * 60_000,
        lateArrivalMs: 48 * HOUR,
      });
      expect(await collect(missing.records)).toEqual([]);
      expect(report.partial.at(-1)).toMatch(/workspace nope/);
      expect(missing.watermark.untilMs).toBe(startMs);
    } finally {
      await fake.close();
    }
  });
});

describe("Table Storage stores", () => {
  it("round-trips a baseline larger than one entity", async () => {
    const store = new TableStateStore(TableClient.fromConnectionString(azurite.connectionString, "kvguardaudittest", { allowInsecureConnection: true }));
    const baseline = new Baseline(14);
    for (let i = 0; i < 40_000; i++) baseline.see(`pv|vault|${Math.random().toString(36)}${i}`, startMs, startMs + i);
    baseline.advance(startMs);
    await store.put("baseline", baseline.toJSON());
    await store.put("baseline", baseline.toJSON());
    const back = Baseline.fromJSON(await store.get("baseline"));
    expect(back.seen.size).toBe(40_000);
    expect(await store.get("missing")).toBeUndefined();
  });

  it("merges a finding seen again instead of duplicating it", async () => {
    const store = new TableFindingStore(TableClient.fromConnectionString(azurite.connectionString, "kvguardfindingstest", { allowInsecureConnection: true }));
    const finding = {
      id: "f".repeat(32),
      detector: "impact_destructive_operation",
      severity: "high" as const,
      vault: "v",
      principal: { oid: "o" },
      ip: "10.0.0.1",
      start: "2026-01-01T00:00:00.000Z",
      end: "2026-01-01T00:01:00.000Z",
      count: 2,
      summary: "s",
      evidence: ["a"],
      baseline: null,
    };
    expect(await store.upsert([finding])).toEqual([finding.id]);
    expect(await store.upsert([{ ...finding, end: "2026-01-01T00:05:00.000Z", count: 1, evidence: ["b"] }])).toEqual([]);
    expect(await store.list()).toEqual([{ ...finding, end: "2026-01-01T00:05:00.000Z", count: 3, evidence: ["a", "b"] }]);
  });
});
