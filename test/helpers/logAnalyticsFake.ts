/**
 * @module A local stand-in for the Log Analytics query API, following its documented shapes, so the real
 * `LogsQueryClient` can be pointed at it (`endpoint`, `tlsOptions.ca`): HTTPS, `POST
 * /v1/workspaces/{id}/query` with `{query, timespan}`, answered with `{tables:[{name, columns, rows}]}`,
 * a 200 with `error` for a partial failure, and a truncated answer past a row limit. It understands only
 * the query shapes kvguard sends: the table name first, a `TimeGenerated` range and an `ingestion_time()`
 * range, each `>= datetime(a) and < datetime(b)`. Each row has an ingestion time (its TimeGenerated unless
 * given) and is not there before it; the `timespan` parameter limits TimeGenerated too, as the service's does.
 */
import type { ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { createTlsMaterial } from "../../emulator/tls.js";

export interface FakeTable {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  /** When each row was ingested (ms), by index; a row without one was ingested at its TimeGenerated. */
  ingestedMs?: number[];
}

export interface FakeQuery {
  workspace: string;
  table: string;
  /** The ingestion-time range (the TimeGenerated range when the query has none). */
  from: string;
  to: string;
  timespan: string;
}

export interface LogAnalyticsFakeOptions {
  workspaces: Record<string, Record<string, FakeTable>>;
  /** More matching rows than this: the first rows and a partial error saying the result was cut. */
  rowLimit?: number;
  /** A query for which this returns true answers its rows with a partial error (an engine failure). */
  failPartially?: (query: FakeQuery) => boolean;
  /** The service's clock: rows ingested after it are not there yet (default: all rows are). */
  nowMs?: () => number;
}

export interface LogAnalyticsFake {
  /** The client's `endpoint` option (with the API version, as the client expects). */
  endpoint: string;
  ca: string;
  queries: FakeQuery[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

export async function startLogAnalyticsFake(options: LogAnalyticsFakeOptions): Promise<LogAnalyticsFake> {
  const tls = await createTlsMaterial();
  const queries: FakeQuery[] = [];
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    let text = "";
    req.on("data", (d: Buffer) => (text += d.toString()));
    req.on("end", () => {
      const match = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(req.url ?? "");
      if (req.method !== "POST" || !match) return send(res, 404, { error: { code: "PathNotFoundError", message: `no route ${req.method} ${req.url}` } });
      if (!/^Bearer \S+/.test(req.headers.authorization ?? ""))
        return send(res, 401, { error: { code: "AuthorizationRequiredError", message: "Valid authentication was not provided" } });
      const workspace = decodeURIComponent(match[1]!);
      const tables = options.workspaces[workspace];
      if (!tables) return send(res, 404, { error: { code: "WorkspaceNotFoundError", message: `Workspace ${workspace} not found` } });
      const body = JSON.parse(text) as { query: string; timespan?: string };
      const tableName = /^\s*(\w+)/.exec(body.query)?.[1] ?? "";
      const range = (column: string) => new RegExp(`${column} >= datetime\\(([^)]+)\\) and ${column} < datetime\\(([^)]+)\\)`).exec(body.query);
      const time = range("TimeGenerated");
      const ingestion = range("ingestion_time\\(\\)") ?? time;
      const query: FakeQuery = { workspace, table: tableName, from: ingestion?.[1] ?? "", to: ingestion?.[2] ?? "", timespan: body.timespan ?? "" };
      queries.push(query);
      const table = tables[tableName];
      if (!table) {
        return send(res, 400, {
          error: {
            code: "BadArgumentError",
            message: "The request had some invalid properties",
            innererror: { code: "SemanticError", message: `'${tableName}' could not be resolved` },
          },
        });
      }
      const timeColumn = table.columns.findIndex((c) => c.name === "TimeGenerated");
      const within = (ms: number, text: string[] | null | undefined) => !text || (ms >= Date.parse(text[0]!) && ms < Date.parse(text[1]!));
      const span = body.timespan?.split("/");
      const nowMs = options.nowMs?.() ?? Infinity;
      let rows = table.rows
        .filter((row, i) => {
          const t = Date.parse(String(row[timeColumn]));
          const ingested = table.ingestedMs?.[i] ?? t;
          return ingested <= nowMs && within(t, time?.slice(1)) && within(ingested, ingestion?.slice(1)) && within(t, span?.length === 2 ? span : undefined);
        })
        .sort((a, b) => Date.parse(String(a[timeColumn])) - Date.parse(String(b[timeColumn])));
      let error: unknown;
      if (options.rowLimit !== undefined && rows.length > options.rowLimit) {
        rows = rows.slice(0, options.rowLimit);
        error = {
          code: "PartialError",
          message: "There were some errors when processing your query.",
          details: [{ code: "E_QUERY_RESULT_SET_TOO_LARGE", message: "Query result set has exceeded the internal record count limit", resources: [] }],
        };
      } else if (options.failPartially?.(query)) {
        error = {
          code: "PartialError",
          message: "There were some errors when processing your query.",
          details: [{ code: "EngineError", message: "Something went wrong on a shard", resources: [] }],
        };
      }
      send(res, 200, { tables: [{ name: "PrimaryResult", columns: table.columns, rows }], ...(error ? { error } : {}) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}/v1`,
    ca: tls.caPem,
    queries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
