/**
 * @module The exporter built from the config, as the app makes it for the exportOut timer and `kvguard
 * export`: the sinks the settings turn on, each with its ledger in the state storage, reading rotation history
 * and findings from their tables and report snapshots from the report container (or a folder, for the CLI).
 */
import type { TokenCredential } from "@azure/core-auth";
import { settingSecrets } from "../alerts/alerting.js";
import { FINDINGS_TABLE } from "../audit/store/findingStore.js";
import { systemClock, type Clock } from "../common/clock.js";
import { BlobStore, FolderStore } from "../compliance/report/store.js";
import type { KvguardConfig } from "../config/schema.js";
import { Exporter } from "../export/exporter.js";
import { EXPORT_TABLE, ExportLedger } from "../export/ledger.js";
import { findingSource, historySource, noticeSource, reportSource } from "../export/records.js";
import { eventGridSink } from "../export/sinks/eventGrid.js";
import { logAnalyticsSink } from "../export/sinks/logAnalytics.js";
import type { ExportSink } from "../export/sinks/sink.js";
import { NOTICES_TABLE } from "../notices/ledger.js";
import { HISTORY_TABLE } from "../rotation/history.js";
import type { StorageClients } from "../state/storage.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface ExporterOptions {
  /** Read report snapshots from this folder (`kvguard report --out`) instead of the report container. */
  reportsDir?: string;
  clock?: Clock;
  /** Retries of each call inside the SDK client (its default when not set). */
  maxRetries?: number;
  /** How far before its cursor a run reads again (tests: 0, to see the cursor alone). */
  overlapMs?: number;
}

/** The exporter, or undefined when no destination is set. */
export function createExporter(
  config: KvguardConfig,
  env: Env,
  wiring: { credential: TokenCredential; storage: StorageClients },
  options: ExporterOptions = {},
): Exporter | undefined {
  const { credential, storage } = wiring;
  const secrets = settingSecrets(env);
  const common = {
    credential,
    secrets,
    ...(config.local ? { ca: config.local.caPem } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
  };
  const sinks: ExportSink<unknown>[] = [];
  if (config.export.events) sinks.push(eventGridSink({ destination: config.export.events, ...common }));
  if (config.export.logs) sinks.push(logAnalyticsSink({ ...config.export.logs, ...common }));
  if (sinks.length === 0) return undefined;
  const ledgerTable = storage.table(EXPORT_TABLE);
  const store = options.reportsDir ? new FolderStore(options.reportsDir) : new BlobStore(storage.blob.getContainerClient(config.report.container));
  return new Exporter({
    sources: [
      historySource(storage.table(HISTORY_TABLE)),
      findingSource(storage.table(FINDINGS_TABLE)),
      reportSource(store),
      noticeSource(storage.table(NOTICES_TABLE)),
    ],
    sinks: sinks.map((sink) => ({ sink, ledger: new ExportLedger(ledgerTable, sink.name) })),
    clock: options.clock ?? systemClock,
    ...(options.overlapMs !== undefined ? { overlapMs: options.overlapMs } : {}),
  });
}
