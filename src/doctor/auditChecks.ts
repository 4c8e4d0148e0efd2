/**
 * @module Doctor checks of the audit pipeline's sources, when configured: each Log Analytics workspace
 * (a one-row query of both Key Vault tables over the last day, as the scan queries them) and the storage
 * archive container (it exists, and its blobs can be listed).
 */
import type { TokenCredential } from "@azure/core-auth";
import { LogsQueryClient, LogsQueryResultStatus } from "@azure/monitor-query-logs";
import { BlobServiceClient } from "@azure/storage-blob";
import { statusOf } from "../common/errors.js";
import type { KvguardConfig } from "../config/schema.js";
import { storageClients } from "../state/storage.js";
import { CheckFailure, runCheck, type CheckResult } from "./check.js";
import { network } from "./fixes.js";
import { DAY_MS } from "../common/duration.js";

/** The tables the audit scan reads (src/audit/sources/logAnalytics.ts). */
const TABLES = {
  AZKVAuditLogs: "AZKVAuditLogs",
  AzureDiagnostics: 'AzureDiagnostics | where ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent"',
};

/** Log Analytics answers a query of a table the workspace never received with a 400 SemanticError. */
function missingTable(error: unknown): boolean {
  const text = `${(error as Error).message} ${JSON.stringify((error as { details?: unknown }).details ?? "")}`;
  return statusOf(error) === 400 && /could not be resolved|SemanticError/i.test(text);
}

async function workspaceCheck(client: LogsQueryClient, workspaceId: string, endpoint: string, timeoutMs: number): Promise<CheckResult> {
  return runCheck(
    `audit: workspace ${workspaceId}`,
    timeoutMs,
    async (abortSignal) => {
      const to = new Date();
      const from = new Date(to.getTime() - DAY_MS);
      const found: string[] = [];
      let tables = 0;
      for (const [name, source] of Object.entries(TABLES)) {
        const query = `${source} | where TimeGenerated >= datetime(${from.toISOString()}) and TimeGenerated < datetime(${to.toISOString()}) | take 1`;
        try {
          const result = await client.queryWorkspace(workspaceId, query, { startTime: from, endTime: to }, { abortSignal });
          const rows = result.status === LogsQueryResultStatus.Success ? result.tables : result.partialTables;
          tables++;
          found.push(`${name}: ${rows.some((t) => t.rows.length > 0) ? "records in the last day" : "no record in the last day"}`);
        } catch (error) {
          if (!missingTable(error)) throw error;
          found.push(`${name}: no such table`);
        }
      }
      if (tables === 0) {
        throw new CheckFailure(
          `the workspace answers but holds no Key Vault audit table (${found.join("; ")})`,
          "check that each vault's diagnostic setting sends the AuditEvent category to this workspace (tables appear minutes after the first records)",
        );
      }
      return found.join("; ");
    },
    (error) => {
      const status = statusOf(error);
      if (status === 403) {
        return {
          detail: `403 from the query API for workspace ${workspaceId}`,
          fix: `grant Log Analytics Reader on the workspace (the resource whose workspace id is ${workspaceId}) to kvguard's identity (audit from Log Analytics)`,
        };
      }
      if (status === 404) {
        return {
          detail: `404: the query API knows no workspace ${workspaceId}`,
          fix: "set KVGUARD_AUDIT_WORKSPACE_IDS to the workspace id (a GUID, the workspace's customerId), not its resource id or name",
        };
      }
      return network(error, endpoint, "check KVGUARD_AUDIT_LOGS_ENDPOINT (the query endpoint of the workspace's cloud)");
    },
  );
}

async function archiveCheck(
  env: Readonly<Record<string, string | undefined>>,
  archive: { account: string; container: string },
  credential: TokenCredential,
  timeoutMs: number,
): Promise<CheckResult> {
  const service = archive.account === "AzureWebJobsStorage" ? storageClients(env, credential).blob : new BlobServiceClient(archive.account, credential);
  const container = service.getContainerClient(archive.container);
  return runCheck(
    `audit: archive ${archive.container}`,
    timeoutMs,
    async (abortSignal) => {
      if (!(await container.exists({ abortSignal }))) {
        throw new CheckFailure(
          `no container ${archive.container} in ${service.url}`,
          `check that the vaults' diagnostic settings archive AuditEvent to this storage account (the container appears with the first records), or set KVGUARD_AUDIT_ARCHIVE_CONTAINER`,
        );
      }
      const page = await container.listBlobsFlat({ prefix: "resourceId=", abortSignal }).byPage({ maxPageSize: 5 }).next();
      const blobs = page.done ? 0 : page.value.segment.blobItems.length;
      return blobs > 0 ? `archive blobs listed in ${archive.container}` : `container ${archive.container} readable, no archive blob yet`;
    },
    (error) =>
      statusOf(error) === 403
        ? {
            detail: `403 from ${service.url}`,
            fix: `grant Storage Blob Data Reader on the archive storage account to kvguard's identity (audit from the storage archive)`,
          }
        : network(error, service.url, "check KVGUARD_AUDIT_ARCHIVE_ACCOUNT (the archive account's blob endpoint) and its firewall"),
  );
}

export async function auditChecks(
  env: Readonly<Record<string, string | undefined>>,
  config: KvguardConfig,
  credential: TokenCredential,
  timeoutMs: number,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  if (config.audit.workspaceIds.length > 0) {
    const client = new LogsQueryClient(credential, { endpoint: config.audit.logsEndpoint });
    for (const id of config.audit.workspaceIds) results.push(await workspaceCheck(client, id, config.audit.logsEndpoint, timeoutMs));
  }
  if (config.audit.archive) results.push(await archiveCheck(env, config.audit.archive, credential, timeoutMs));
  return results;
}
