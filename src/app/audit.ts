/**
 * @module The audit scan's dependencies from the config: state and findings in the app's storage tables, the
 * archive container, a local folder and the Log Analytics client from the audit settings, all reached with
 * the app's identity. `kvguard consumers` reads the same sources.
 */
import { resolve } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { LogsQueryClient } from "@azure/monitor-query-logs";
import { BlobServiceClient } from "@azure/storage-blob";
import type { ConsumerSources } from "../audit/consumers.js";
import { detectors } from "../audit/detectors/registry.js";
import type { AuditScanDeps } from "../audit/scan.js";
import { FINDINGS_TABLE, TableFindingStore } from "../audit/store/findingStore.js";
import { AUDIT_STATE_TABLE, TableStateStore } from "../audit/store/tableStateStore.js";
import type { KvguardConfig } from "../config/schema.js";
import type { StorageClients } from "../state/storage.js";

/** The audit sources the settings configure (archive container, folder, Log Analytics), with the app's identity. */
export async function auditSources(
  config: KvguardConfig,
  wiring: { credential: TokenCredential; storage: () => Promise<StorageClients> },
): Promise<ConsumerSources> {
  const { audit } = config;
  const { credential } = wiring;
  const archiveService = audit.archive
    ? audit.archive.account === "AzureWebJobsStorage"
      ? (await wiring.storage()).blob
      : new BlobServiceClient(audit.archive.account, credential)
    : undefined;
  return {
    config: audit,
    ...(archiveService && audit.archive ? { archive: archiveService.getContainerClient(audit.archive.container) } : {}),
    ...(audit.folder ? { folder: resolve(audit.folder) } : {}),
    ...(audit.workspaceIds.length > 0 ? { logs: new LogsQueryClient(credential, { endpoint: audit.logsEndpoint }) } : {}),
  };
}

export async function auditScanDeps(
  config: KvguardConfig,
  wiring: { credential: TokenCredential; storage: StorageClients; onNewFindings?: AuditScanDeps["onNewFindings"]; telemetry?: AuditScanDeps["telemetry"] },
): Promise<AuditScanDeps> {
  const { storage } = wiring;
  return {
    ...(await auditSources(config, { credential: wiring.credential, storage: () => Promise.resolve(storage) })),
    state: new TableStateStore(storage.table(AUDIT_STATE_TABLE)),
    findings: new TableFindingStore(storage.table(FINDINGS_TABLE)),
    detectors,
    ...(wiring.onNewFindings ? { onNewFindings: wiring.onNewFindings } : {}),
    ...(wiring.telemetry ? { telemetry: wiring.telemetry } : {}),
  };
}
