/**
 * @module Where scheduled scans keep findings: Azure Table Storage, partition = vault, row = finding id.
 * A finding seen again (an overlapping scan, a rerun) is merged into the stored one (count, time range,
 * evidence), never duplicated.
 */
import type { TableClient } from "@azure/data-tables";
import type { Finding } from "../finding.js";

/** The findings table in the app's storage. */
export const FINDINGS_TABLE = "kvguardfindings";

export interface FindingStore {
  /** Stores findings, merging with stored ones of the same id; returns the ids that were new. */
  upsert(findings: readonly Finding[]): Promise<string[]>;
  list(): Promise<Finding[]>;
}

export function mergeFindings(stored: Finding, next: Finding): Finding {
  return {
    ...next,
    start: stored.start < next.start ? stored.start : next.start,
    end: stored.end > next.end ? stored.end : next.end,
    count: stored.count + next.count,
    evidence: [...new Set([...stored.evidence, ...next.evidence])].slice(0, 20),
  };
}

/** Table keys may not hold `/ \ # ?`; vault names never do, `*` (all vaults) becomes `all`. */
function partitionOf(vault: string): string {
  return vault === "*" ? "all" : vault.replace(/[/\\#?]/g, "_");
}

interface FindingEntity {
  partitionKey: string;
  rowKey: string;
  json: string;
  detector: string;
  severity: string;
  start: string;
}

export class TableFindingStore implements FindingStore {
  #created = false;

  constructor(readonly table: TableClient) {}

  async #ensure(): Promise<void> {
    if (!this.#created) await this.table.createTable();
    this.#created = true;
  }

  async upsert(findings: readonly Finding[]): Promise<string[]> {
    await this.#ensure();
    const added: string[] = [];
    for (const f of findings) {
      const partitionKey = partitionOf(f.vault);
      let stored: Finding | undefined;
      try {
        stored = JSON.parse((await this.table.getEntity<FindingEntity>(partitionKey, f.id)).json) as Finding;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
      if (!stored) added.push(f.id);
      const merged = stored ? mergeFindings(stored, f) : f;
      // The queryable columns beside the whole finding as JSON (nested objects are not table properties).
      await this.table.upsertEntity<FindingEntity>(
        { partitionKey, rowKey: f.id, json: JSON.stringify(merged), detector: merged.detector, severity: merged.severity, start: merged.start },
        "Replace",
      );
    }
    return added;
  }

  async list(): Promise<Finding[]> {
    await this.#ensure();
    const findings: Finding[] = [];
    for await (const entity of this.table.listEntities<FindingEntity>()) findings.push(JSON.parse(entity.json) as Finding);
    return findings;
  }
}
