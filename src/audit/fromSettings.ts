/**
 * @module The audit scan wired from the settings, as the timer function runs it: state and findings in
 * the app's storage tables, the archive container, a local folder and the Log Analytics client from the
 * audit settings, all reached with the app's identity. `kvguard consumers` reads the same sources.
 */
import { resolve } from "node:path";
import { LogsQueryClient } from "@azure/monitor-query-logs";
import { notifyFindings } from "../alerts/notify.js";
import { BlobServiceClient } from "@azure/storage-blob";
import { credentialFor } from "../azure/credential.js";
import { formatProblem, loadConfig, type KvguardConfig } from "../config/schema.js";
import type { ConsumerSources } from "./consumers.js";
import { storageClients } from "../state/storage.js";
import { runAuditScan, type AuditScanReport } from "./scan.js";
import { TableFindingStore } from "./store/findingStore.js";
import { TableStateStore } from "./store/tableStateStore.js";

export const AUDIT_STATE_TABLE = "kvguardaudit";
export const FINDINGS_TABLE = "kvguardfindings";

/** The loaded settings and the audit sources they configure, reached with the app's identity. */
export function auditSourcesFromSettings(env: Readonly<Record<string, string | undefined>>): { config: KvguardConfig; sources: ConsumerSources; storage: ReturnType<typeof storageClients> } {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`kvguard is misconfigured:\n${result.problems.map(formatProblem).join("\n")}`);
  const { audit, identity } = result.config;
  const credential = credentialFor(identity);
  const storage = storageClients(env, credential);
  const archiveService = audit.archive
    ? audit.archive.account === "AzureWebJobsStorage"
      ? storage.blob
      : new BlobServiceClient(audit.archive.account, credential)
    : undefined;
  const sources: ConsumerSources = {
    config: audit,
    ...(archiveService && audit.archive ? { archive: archiveService.getContainerClient(audit.archive.container) } : {}),
    ...(audit.folder ? { folder: resolve(audit.folder) } : {}),
    ...(audit.workspaceIds.length > 0 ? { logs: new LogsQueryClient(credential, { endpoint: audit.logsEndpoint }) } : {}),
  };
  return { config: result.config, sources, storage };
}

export async function runAuditScanFromSettings(env: Readonly<Record<string, string | undefined>> = process.env): Promise<AuditScanReport> {
  const { config, sources, storage } = auditSourcesFromSettings(env);
  return runAuditScan({
    ...sources,
    state: new TableStateStore(storage.table(AUDIT_STATE_TABLE)),
    findings: new TableFindingStore(storage.table(FINDINGS_TABLE)),
    // New findings go to alerting when it is configured.
    ...(config.alerts.rules
      ? {
          onNewFindings: async (findings) => {
            await notifyFindings(findings);
          },
        }
      : {}),
  });
}
