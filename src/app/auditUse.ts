/**
 * @module What the report's unused-objects section reads: the audit scan's baseline from the app's audit state
 * table (each object's last use, each vault's first audit record), or why there is none.
 */
import { Baseline } from "../audit/baseline.js";
import { BASELINE_KEY } from "../audit/scan.js";
import { AUDIT_STATE_TABLE, TableStateStore } from "../audit/store/tableStateStore.js";
import type { AuditUse } from "../compliance/unused.js";
import { hasAuditSource } from "../config/auditSettings.js";
import type { KvguardConfig } from "../config/schema.js";
import type { StorageClients } from "../state/storage.js";

export function auditUseReader(config: KvguardConfig, storage: StorageClients | undefined): () => Promise<AuditUse | string> {
  return async () => {
    if (!hasAuditSource(config.audit))
      return "no audit source is configured: set KVGUARD_AUDIT_FOLDER, KVGUARD_AUDIT_ARCHIVE_ACCOUNT or KVGUARD_AUDIT_WORKSPACE_IDS";
    if (!storage) return "no state storage holds the audit scan's baseline";
    const saved = await new TableStateStore(storage.table(AUDIT_STATE_TABLE)).get(BASELINE_KEY);
    if (saved === undefined) return "the audit scan has not run yet";
    const baseline = Baseline.fromJSON(saved, config.audit.baselineDays);
    return { objects: baseline.objects, coverage: baseline.coverage, lastMs: baseline.lastMs };
  };
}
