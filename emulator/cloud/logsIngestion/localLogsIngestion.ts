/**
 * @module The local Logs Ingestion API: data collection endpoints and rules, and the tables their data flows
 * fill (a stand-in for a Log Analytics workspace that keeps rows to read back, not a query engine). Endpoints
 * and rules persist in `monitor.json` of the state folder, rows in `logs/<Table>.jsonl`, so what was ingested
 * survives a restart. DCR errors (what Azure logs to `DCRLogErrors` when it drops data) are kept per rule.
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LocalKeyVault } from "../../localKeyVault.js";
import { withoutUndefined } from "../armScope.js";
import { CloudError } from "../host.js";
import { StateFile } from "../stateFile.js";
import {
  endpointId,
  newImmutableId,
  tableOf,
  type DataCollectionEndpoint,
  type DataCollectionRule,
  type RecordValidation,
  type RuleProperties,
} from "./rule.js";

/** Rows kept in memory per table; older ones stay in the table's file. */
const KEPT_ROWS = 100_000;
/** DCR errors kept per rule. */
const KEPT_ERRORS = 10_000;

export interface IngestedRow {
  /** When the row was ingested, on the vault's clock. */
  ingestedAt: string;
  rule: string;
  stream: string;
  row: Record<string, unknown>;
}

/** A record of the DCRLogErrors table's shape (the columns Azure documents for it). */
export interface DcrLogError {
  TimeGenerated: string;
  OperationName: "Ingestion";
  InputStreamId: string;
  Message: string;
  ClientRequestId: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$/;

export class LocalLogsIngestion {
  readonly #endpoints = new Map<string, DataCollectionEndpoint>();
  readonly #rules = new Map<string, DataCollectionRule>();
  readonly #tables = new Map<string, IngestedRow[]>();
  readonly #errors = new Map<string, DcrLogError[]>();
  readonly #file: StateFile<{ endpoints: DataCollectionEndpoint[]; rules: DataCollectionRule[] }>;
  readonly #logsDir?: string;
  /** The cloud's URL, known once it listens. */
  baseUrl = "https://127.0.0.1";

  constructor(readonly kv: LocalKeyVault) {
    const stateDir = kv.options.stateDir;
    this.#file = new StateFile(stateDir, "monitor.json");
    const saved = this.#file.read();
    for (const endpoint of saved?.endpoints ?? []) this.#endpoints.set(endpoint.name.toLowerCase(), endpoint);
    for (const rule of saved?.rules ?? []) this.#rules.set(rule.name.toLowerCase(), rule);
    if (stateDir) this.#logsDir = join(stateDir, "logs");
  }

  endpoints(): DataCollectionEndpoint[] {
    return [...this.#endpoints.values()];
  }

  rules(): DataCollectionRule[] {
    return [...this.#rules.values()];
  }

  endpoint(name: string): DataCollectionEndpoint | undefined {
    return this.#endpoints.get(name.toLowerCase());
  }

  rule(name: string): DataCollectionRule | undefined {
    return this.#rules.get(name.toLowerCase());
  }

  ruleByImmutableId(immutableId: string): DataCollectionRule | undefined {
    return this.rules().find((r) => r.immutableId.toLowerCase() === immutableId.toLowerCase());
  }

  /** Whether an endpoint resource id names one of ours. */
  hasEndpoint(id: string): boolean {
    return this.endpoints().some((e) => endpointId(e.name).toLowerCase() === id.toLowerCase());
  }

  putEndpoint(input: { name: string; location?: string; tags?: Record<string, string> }): { endpoint: DataCollectionEndpoint; created: boolean } {
    checkName(input.name);
    const existing = this.endpoint(input.name);
    const endpoint: DataCollectionEndpoint = existing
      ? { ...existing, ...withoutUndefined({ location: input.location, tags: input.tags }) }
      : { name: input.name, location: input.location ?? "local", tags: input.tags ?? {}, immutableId: newImmutableId("dce") };
    this.#endpoints.set(endpoint.name.toLowerCase(), endpoint);
    this.save();
    return { endpoint, created: !existing };
  }

  putRule(input: { name: string; location?: string; tags?: Record<string, string>; properties: RuleProperties }): {
    rule: DataCollectionRule;
    created: boolean;
  } {
    checkName(input.name);
    const existing = this.rule(input.name);
    const rule: DataCollectionRule = existing
      ? { ...existing, ...withoutUndefined({ location: input.location, tags: input.tags }), properties: input.properties }
      : {
          name: input.name,
          location: input.location ?? "local",
          tags: input.tags ?? {},
          immutableId: newImmutableId("dcr"),
          properties: input.properties,
          publishers: [],
          validation: "strict",
        };
    this.#rules.set(rule.name.toLowerCase(), rule);
    this.save();
    return { rule, created: !existing };
  }

  update(
    target: DataCollectionRule | DataCollectionEndpoint,
    changes: { publishers?: string[]; validation?: RecordValidation; managementAccess?: DataCollectionRule["managementAccess"] },
  ): void {
    Object.assign(target, withoutUndefined(changes));
    this.save();
  }

  deleteEndpoint(name: string): boolean {
    const deleted = this.#endpoints.delete(name.toLowerCase());
    if (deleted) this.save();
    return deleted;
  }

  deleteRule(name: string): boolean {
    const deleted = this.#rules.delete(name.toLowerCase());
    if (deleted) this.save();
    return deleted;
  }

  /** Writes rows to every table the stream flows to. */
  write(rule: DataCollectionRule, stream: string, rows: Record<string, unknown>[]): void {
    const ingestedAt = new Date(this.kv.clock.nowMs()).toISOString();
    for (const flow of rule.properties.dataFlows.filter((f) => f.streams.includes(stream))) {
      const table = tableOf(flow.outputStream ?? stream);
      const entries = rows.map((row) => ({ ingestedAt, rule: rule.name, stream, row }));
      const kept = this.#table(table);
      kept.push(...entries);
      kept.splice(0, Math.max(0, kept.length - KEPT_ROWS));
      if (this.#logsDir && entries.length) {
        mkdirSync(this.#logsDir, { recursive: true });
        appendFileSync(join(this.#logsDir, `${table}.jsonl`), entries.map((e) => `${JSON.stringify(e)}\n`).join(""), { mode: 0o600 });
      }
    }
  }

  rows(table: string): IngestedRow[] {
    return this.#table(table);
  }

  tables(): string[] {
    return [...this.#tables.keys()];
  }

  logError(rule: DataCollectionRule, error: Omit<DcrLogError, "TimeGenerated" | "OperationName">): void {
    const errors = this.#errors.get(rule.name.toLowerCase()) ?? [];
    errors.push({ TimeGenerated: new Date(this.kv.clock.nowMs()).toISOString(), OperationName: "Ingestion", ...error });
    errors.splice(0, Math.max(0, errors.length - KEPT_ERRORS));
    this.#errors.set(rule.name.toLowerCase(), errors);
  }

  errors(rule: DataCollectionRule): DcrLogError[] {
    return this.#errors.get(rule.name.toLowerCase()) ?? [];
  }

  save(): void {
    this.#file.write({ endpoints: this.endpoints(), rules: this.rules() });
  }

  /** A table's rows, loaded from its file the first time when there is a state folder. */
  #table(name: string): IngestedRow[] {
    let rows = this.#tables.get(name);
    if (rows) return rows;
    rows = [];
    if (this.#logsDir) {
      try {
        const text = readFileSync(join(this.#logsDir, `${name}.jsonl`), "utf8");
        rows = text
          .split("\n")
          .filter(Boolean)
          .slice(-KEPT_ROWS)
          .map((line) => JSON.parse(line) as IngestedRow);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    this.#tables.set(name, rows);
    return rows;
  }
}

function checkName(name: string): void {
  if (!NAME.test(name))
    throw new CloudError(
      400,
      "InvalidResourceName",
      `Resource name '${name}' is invalid: use 3-64 letters, digits, '.', '_' and '-', starting with a letter or digit.`,
    );
}
