/**
 * @module The scheduled audit scan: load the baseline, read what is new in each source (storage archive,
 * a local folder and Log Analytics workspaces, each from its watermark), run the engine, store the findings (merged by
 * id), then save the baseline and, last, the watermarks, so a crash re-reads rather than skips records.
 */
import type { LogsQueryClient } from "@azure/monitor-query-logs";
import type { ContainerClient } from "@azure/storage-blob";
import type { AuditConfig } from "../config/auditSettings.js";
import type { Detector } from "./detectors/detector.js";
import { DAY_MS } from "../common/duration.js";
import { Baseline } from "./baseline.js";
import type { Telemetry } from "../telemetry/port.js";
import { AuditEngine, runRecords } from "./engine.js";
import { measuredLag } from "./ingestionLag.js";
import type { Finding } from "./finding.js";
import { loadInputs } from "./inputs.js";
import { folderWatermark, readAuditFolder } from "./sources/folder.js";
import { archiveWatermark, readStorageArchive } from "./sources/storageArchive.js";
import { readLogAnalytics, workspaceWatermark } from "./sources/logAnalytics.js";
import { IngestReport, type IngestSummary } from "./sources/report.js";
import type { FindingStore } from "./store/findingStore.js";
import type { StateStore } from "./store/stateStore.js";

export interface AuditScanDeps {
  config: AuditConfig;
  /** Baseline and watermarks. */
  state: StateStore;
  findings: FindingStore;
  /** The detector set the app built (the registry's). */
  detectors: readonly Detector[];
  /** The archive container, when the audit reads one. */
  archive?: ContainerClient;
  /** A local folder in the archive layout (the local Key Vault's audit logs), when the audit reads one. */
  folder?: string;
  /** A query client, when the audit reads workspaces (`config.workspaceIds`). */
  logs?: LogsQueryClient;
  now?: () => number;
  /** Hands new findings on (the alerting layer). */
  onNewFindings?: (findings: Finding[]) => Promise<void>;
  /** New findings counted by detector and severity; each source's ingestion lag. */
  telemetry?: Telemetry;
}

export interface AuditScanReport {
  ingest: IngestSummary;
  findings: number;
  newFindings: number;
  suppressed: number;
  warm: boolean;
}

export const BASELINE_KEY = "baseline";

/**
 * Runs one scan.
 * @param deps - config, stores, clients
 */
export async function runAuditScan(deps: AuditScanDeps): Promise<AuditScanReport> {
  const { config, state } = deps;
  const now = (deps.now ?? Date.now)();
  const saved = await state.get(BASELINE_KEY);
  const baseline = saved === undefined ? new Baseline(config.baselineDays) : Baseline.fromJSON(saved, config.baselineDays);
  const { inputs, suppressions } = await loadInputs({
    threatIntelFile: config.threatIntelFile,
    allowedNetworks: config.allowedNetworks.join(","),
    canaries: config.canaries,
    suppressionsFile: config.suppressionsFile,
  });
  const engine = new AuditEngine({ detectors: deps.detectors, baseline, inputs, suppressions, thresholds: config.thresholds, selfIds: config.selfIds });
  const report = new IngestReport();
  // A first scan learns from as much history as the baseline window holds.
  const sinceMs = now - config.baselineDays * DAY_MS;
  const watermarks: [string, unknown][] = [];

  if (deps.archive) {
    const key = `watermark:archive:${deps.archive.containerName}`;
    const previous = await state.get(key);
    const read = readStorageArchive(deps.archive, { report, sinceMs, nowMs: now, ...(previous ? { watermark: archiveWatermark.parse(previous) } : {}) });
    await runRecords(measuredLag(read.records, "archive", now, deps.telemetry), engine);
    watermarks.push([key, read.watermark]);
  }
  if (deps.folder) {
    const key = `watermark:folder:${deps.folder}`;
    const previous = await state.get(key);
    const read = readAuditFolder(deps.folder, { report, sinceMs, nowMs: now, ...(previous ? { watermark: folderWatermark.parse(previous) } : {}) });
    await runRecords(measuredLag(read.records, "folder", now, deps.telemetry), engine);
    watermarks.push([key, read.watermark]);
  }
  if (deps.logs) {
    for (const workspaceId of config.workspaceIds) {
      const key = `watermark:workspace:${workspaceId}`;
      const previous = await state.get(key);
      const read = readLogAnalytics(deps.logs, {
        workspaceId,
        report,
        sinceMs,
        nowMs: now,
        sliceMs: config.querySliceMinutes * 60_000,
        ingestionDelayMs: config.ingestionDelayMinutes * 60_000,
        lateArrivalMs: config.lateArrivalHours * 3_600_000,
        ...(previous ? { watermark: workspaceWatermark.parse(previous) } : {}),
      });
      await runRecords(measuredLag(read.records, "workspace", now, deps.telemetry), engine);
      watermarks.push([key, read.watermark]);
    }
  }
  const result = engine.finish(now);
  report.benign = Object.values(result.benign).reduce((a, b) => a + b, 0);
  const added = await deps.findings.upsert(result.findings);
  for (const f of result.findings) if (added.includes(f.id)) deps.telemetry?.count("kvguard.findings", 1, { detector: f.detector, severity: f.severity });
  if (added.length > 0 && deps.onNewFindings) await deps.onNewFindings(result.findings.filter((f) => added.includes(f.id)));
  await state.put(BASELINE_KEY, baseline.toJSON());
  for (const [key, value] of watermarks) await state.put(key, value);
  return {
    ingest: report.toJSON(),
    findings: result.findings.length,
    newFindings: added.length,
    suppressed: result.suppressed,
    // Records may run ahead of this clock (the local Key Vault's clock moves forward): judge at the later.
    warm: baseline.isWarm(Math.max(now, baseline.lastMs)),
  };
}
