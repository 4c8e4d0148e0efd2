/**
 * @module The Log Analytics custom tables kvguard ingests into, with their columns: the data collection
 * rule in infra/ declares the same streams (a test compares them), and docs/export.md lists them. Rows are
 * built from history rows and findings; a row never holds a value or an HMAC of one.
 */
import { assertNoSecrets } from "../alerts/secretGuard.js";
import type { ExportRecord } from "./records.js";
import type { ExportOutput } from "./toEvents.js";

export type ColumnType = "string" | "int" | "long" | "real" | "boolean" | "datetime" | "dynamic";

export interface TableDefinition {
  /** The table, `<Name>_CL`; the rule's input stream is `Custom-<Name>`. */
  table: string;
  columns: readonly { name: string; type: ColumnType; description: string }[];
}

export const ROTATION_TABLE = {
  table: "KvguardRotation_CL",
  columns: [
    { name: "TimeGenerated", type: "datetime", description: "when the step happened (the vault's clock)" },
    { name: "Vault", type: "string", description: "the vault" },
    { name: "ObjectName", type: "string", description: "the secret or key" },
    { name: "RotationId", type: "string", description: "one rotation's id" },
    { name: "Step", type: "string", description: "policy, lock, check, create, set, test, finish, revoke, abandon, skip or reject" },
    { name: "Outcome", type: "string", description: "ok, failed or skipped" },
    { name: "Trigger", type: "string", description: "schedule, event, manual or resume" },
    { name: "Message", type: "string", description: "what the step did or why it failed" },
    { name: "Version", type: "string", description: "the version made live (finish)" },
    { name: "PreviousVersion", type: "string", description: "the version replaced or revoked" },
  ],
} as const satisfies TableDefinition;

export const FINDINGS_TABLE = {
  table: "KvguardFindings_CL",
  columns: [
    { name: "TimeGenerated", type: "datetime", description: "when the finding starts" },
    { name: "FindingId", type: "string", description: "stable per detector, subject and time window" },
    { name: "Detector", type: "string", description: "the audit detector" },
    { name: "Severity", type: "string", description: "low, medium or high" },
    { name: "Vault", type: "string", description: "the vault (* across vaults)" },
    { name: "PrincipalOid", type: "string", description: "the caller's object id" },
    { name: "PrincipalAppId", type: "string", description: "the caller's application id" },
    { name: "PrincipalUpn", type: "string", description: "the caller's user principal name" },
    { name: "CallerIpAddress", type: "string", description: "the caller's IP address" },
    { name: "ObjectPath", type: "string", description: "vault/type/name when about one object" },
    { name: "EndTime", type: "datetime", description: "when the finding's last record was" },
    { name: "RecordCount", type: "int", description: "audit records behind it when first sent" },
    { name: "Summary", type: "string", description: "what the detector saw" },
    { name: "Evidence", type: "dynamic", description: "correlation ids of the records behind it" },
  ],
} as const satisfies TableDefinition;

export const EXPORT_TABLES = [ROTATION_TABLE, FINDINGS_TABLE] as const;

/** The rule's input stream of a table: `KvguardRotation_CL` → `Custom-KvguardRotation`. */
export function streamOf(table: TableDefinition): string {
  return `Custom-${table.table.replace(/_CL$/, "")}`;
}

/**
 * A data collection rule's properties for these tables, as ARM takes them (`infra/modules/exportLogs.bicep`
 * writes the same): one stream per table, each flowing unchanged to it in the workspace.
 */
export function ruleProperties(workspaceResourceId: string): Record<string, unknown> {
  return {
    streamDeclarations: Object.fromEntries(EXPORT_TABLES.map((t) => [streamOf(t), { columns: t.columns.map(({ name, type }) => ({ name, type })) }])),
    destinations: { logAnalytics: [{ workspaceResourceId, name: "workspace" }] },
    dataFlows: EXPORT_TABLES.map((t) => ({ streams: [streamOf(t)], destinations: ["workspace"], transformKql: "source", outputStream: `Custom-${t.table}` })),
  };
}

type Row = Record<string, unknown>;

function rowOf(record: ExportRecord): Row | undefined {
  if (record.source === "history") {
    const r = record.row;
    return {
      TimeGenerated: r.at,
      Vault: r.vault,
      ObjectName: r.name,
      RotationId: r.rotationId,
      Step: r.step,
      Outcome: r.outcome,
      Trigger: r.trigger ?? null,
      Message: r.message.slice(0, 32_000),
      Version: r.version ?? null,
      PreviousVersion: r.previousVersion ?? null,
    };
  }
  if (record.source === "findings") {
    const f = record.finding;
    return {
      TimeGenerated: f.start,
      FindingId: f.id,
      Detector: f.detector,
      Severity: f.severity,
      Vault: f.vault,
      PrincipalOid: f.principal?.oid ?? null,
      PrincipalAppId: f.principal?.appid ?? null,
      PrincipalUpn: f.principal?.upn ?? null,
      CallerIpAddress: f.ip,
      ObjectPath: f.object ?? null,
      EndTime: f.end,
      RecordCount: f.count,
      Summary: String(f.summary).slice(0, 32_000),
      Evidence: f.evidence,
    };
  }
  return undefined;
}

/** The row of a record for the table of its source, checked by the secret guard. */
export function rowsOf(record: ExportRecord, secrets: readonly string[]): ExportOutput<{ stream: string; row: Row }>[] {
  let row: Row | undefined;
  try {
    row = rowOf(record);
  } catch (error) {
    return [{ key: record.key, changedMs: record.changedMs, refused: `unreadable: ${(error as Error).message.slice(0, 300)}` }];
  }
  if (!row) return [];
  try {
    assertNoSecrets(row, secrets, `the ${record.source} row ${record.key}`);
  } catch (error) {
    return [{ key: record.key, changedMs: record.changedMs, refused: (error as Error).message }];
  }
  return [{ key: record.key, changedMs: record.changedMs, item: { stream: streamOf(record.source === "history" ? ROTATION_TABLE : FINDINGS_TABLE), row } }];
}
