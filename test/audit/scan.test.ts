/**
 * @module The scheduled scan against Azurite: archive blobs read from their watermark, baseline and
 * watermarks kept in Table Storage across runs, findings merged by id (a rerun adds none) and new ones
 * handed on; and the `auditScan` timer function wired from the settings.
 */
import { TableClient } from "@azure/data-tables";
import { InvocationContext } from "@azure/functions";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import { archivePath } from "../../emulator/audit/writer.js";
import type { Finding } from "../../src/audit/finding.js";
import { createApp, useApp } from "../../src/app/index.js";
import { runAuditScan } from "../../src/audit/scan.js";
import { FINDINGS_TABLE, TableFindingStore } from "../../src/audit/store/findingStore.js";
import { TableStateStore } from "../../src/audit/store/tableStateStore.js";
import { auditScan } from "../../src/functions/auditScan.js";
import { loadConfig } from "../../src/config/schema.js";
import { ACTORS, generateCorpus } from "../helpers/auditCorpus.js";
import { detectors } from "../../src/audit/detectors/registry.js";

const HOUR = 3_600_000;
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite?.stop());
afterEach(() => useApp(undefined));

async function upload(container: ContainerClient, records: readonly Record<string, unknown>[]): Promise<void> {
  const blobs = new Map<string, string>();
  for (const r of records) {
    const path = archivePath(r.resourceId as string, new Date(r.time as string));
    blobs.set(path, (blobs.get(path) ?? "") + JSON.stringify(r) + "\n");
  }
  await Promise.all(
    [...blobs].map(async ([path, text]) => {
      const blob = container.getAppendBlobClient(path);
      await blob.createIfNotExists();
      await blob.appendBlock(text, Buffer.byteLength(text));
    }),
  );
}

function purge(timeMs: number, correlationId: string): Record<string, unknown> {
  return {
    time: new Date(timeMs).toISOString(),
    category: "AuditEvent",
    operationName: "SecretPurge",
    resultType: "Success",
    correlationId,
    callerIpAddress: ACTORS.alice.ip,
    identity: { claim: { oid: ACTORS.alice.oid, appid: ACTORS.alice.appid!, upn: ACTORS.alice.upn! } },
    properties: {
      id: "https://shared.vault.azure.net/secrets/old-ftp",
      requestUri: "https://shared.vault.azure.net/secrets/old-ftp?api-version=7.4",
      httpStatusCode: 204,
      clientInfo: ACTORS.alice.client,
    },
    resourceId: "/SUBSCRIPTIONS/0A1B2C3D-0000-4000-8000-00000000CAFE/RESOURCEGROUPS/APPS-RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/SHARED",
    operationVersion: "7.4",
    resultSignature: "NoContent",
    durationMs: "9",
  };
}

describe("runAuditScan", () => {
  it("reads only what is new each run, keeps state in tables, and stores each finding once", async () => {
    const corpus = generateCorpus({ seed: 9, days: 2 });
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("insights-logs-auditevent");
    await container.createIfNotExists();
    await upload(container, corpus.records);
    const endMs = Date.parse(corpus.records.at(-1)!.time as string);
    const config = loadConfig({
      KVGUARD_VAULT_URLS: "https://shared.vault.azure.net",
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
      KVGUARD_AUDIT_BASELINE_DAYS: "2",
    });
    if (!config.ok) throw new Error("config");
    const table = (name: string) => TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
    const deps = {
      config: { ...config.config.audit, selfIds: corpus.selfIds },
      state: new TableStateStore(table("scanstate")),
      findings: new TableFindingStore(table("scanfindings")),
      detectors,
      archive: container,
    };
    const handed: Finding[][] = [];
    const onNewFindings = (f: Finding[]) => Promise.resolve(void handed.push(f));

    const first = await runAuditScan({ ...deps, now: () => endMs + 20 * 60_000, onNewFindings });
    expect(first.ingest.records).toBe(corpus.records.length);
    expect(first.ingest.benign).toBeGreaterThan(0);
    const stored = (await deps.findings.list()).length;

    const second = await runAuditScan({ ...deps, now: () => endMs + 40 * 60_000, onNewFindings });
    expect(second.ingest.records).toBe(0);
    expect(second.warm).toBe(true);
    expect(await deps.findings.list()).toHaveLength(stored);

    await upload(container, [purge(endMs + 45 * 60_000, "11111111-0000-4000-8000-000000000001")]);
    const third = await runAuditScan({ ...deps, now: () => endMs + 50 * 60_000, onNewFindings });
    expect(third.ingest.records).toBe(1);
    expect(third.newFindings).toBe(1);
    expect(handed.at(-1)).toHaveLength(1);
    expect(handed.at(-1)![0]).toMatchObject({ vault: "shared", severity: "high", evidence: ["11111111-0000-4000-8000-000000000001"] });
  });
});

describe("auditScan timer function", () => {
  it("is a timer on the audit schedule that scans the archive named in the settings", async () => {
    expect(auditScan).toMatchObject({ kind: "timer", name: "auditScan", schedule: "%KVGUARD_AUDIT_SCHEDULE%" });
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("fn-archive");
    await container.createIfNotExists();
    await upload(container, [purge(Date.now() - HOUR, "22222222-0000-4000-8000-000000000002")]);
    useApp(
      createApp({
        KVGUARD_VAULT_URLS: "https://shared.vault.azure.net",
        AzureWebJobsStorage: azurite.connectionString,
        KVGUARD_AUDIT_ARCHIVE_ACCOUNT: "AzureWebJobsStorage",
        KVGUARD_AUDIT_ARCHIVE_CONTAINER: "fn-archive",
      }),
    );
    const logs: string[] = [];
    const context = new InvocationContext({
      functionName: "auditScan",
      invocationId: "t",
      logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(" ")}`),
    });
    await auditScan.handler({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } }, context);
    expect(logs.join("\n")).toMatch(/audit scan: 1 records .* 1 findings \(1 new/);
    const findings = await new TableFindingStore(
      TableClient.fromConnectionString(azurite.connectionString, FINDINGS_TABLE, { allowInsecureConnection: true }),
    ).list();
    expect(findings.map((f) => f.detector)).toContain("impact_destructive_operation");
  });
});
