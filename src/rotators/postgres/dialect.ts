/**
 * @module The PostgreSQL dialect, over `pg`. Passwords are never sent: `ALTER ROLE … PASSWORD` gets a
 * SCRAM-SHA-256 verifier computed here, so a statement log (`log_statement = all`) shows the verifier at
 * most. Names are quoted by PostgreSQL's rules; values read back are bind parameters.
 *
 * The alternate user is made in one transaction (a crash leaves none or a whole one):
 * `CREATE ROLE clone LOGIN` with the source's attributes (INHERIT, CREATEDB, CREATEROLE, CONNECTION LIMIT,
 * VALID UNTIL; SUPERUSER, REPLICATION and BYPASSRLS when the source has them, which takes a superuser),
 * `GRANT source TO clone` (the clone inherits every privilege of the source, on objects it owns too, and
 * future grants, with INHERIT TRUE from PostgreSQL 16), and each of the source's role memberships (with
 * ADMIN OPTION where the source has it). Not copied: per-role settings (`ALTER ROLE … SET`) and
 * `pg_hba.conf` rules, which name roles in the server's files; a `hostssl … +source` rule (members of the
 * source) covers the clone.
 */
import type { Client, QueryResult, QueryResultRow } from "pg";
import { SqlRotationError, type SqlConnection, type SqlDialect, type SqlEndpoint, type SqlFailure, type SqlLogin } from "../sql/dialect.js";
import { MAX_NAME_BYTES, quoteIdent, quoteLiteral } from "./quote.js";
import { scramVerifier, VERIFIER_PATTERN } from "./scram.js";

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "EPIPE"]);

/** SQLSTATE classes and codes → what to tell the operator. */
function failureOf(error: unknown): SqlFailure {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : "";
  if (typeof code === "string") {
    if (code === "28P01" || code === "28000") return "authentication";
    if (code === "42501") return "privilege";
    if (code === "42704") return "user-not-found";
    if (code === "57014") return "timeout";
    // 57P01-03: the server is shutting down or starting; 53300: too many connections; 08xxx: connection exceptions.
    if (code.startsWith("57P") || code === "53300" || code.startsWith("08") || NETWORK_CODES.has(code)) return "unreachable";
    // TLS handshake and certificate errors carry OpenSSL's codes.
    if (/CERT|SSL|TLS/.test(code)) return "unreachable";
  }
  if (/timeout|terminated|SSL|TLS|ECONNREFUSED/i.test(message)) return /Query read timeout/.test(message) ? "timeout" : "unreachable";
  return "other";
}

/** A driver error as a SqlRotationError; `what` says what was attempted, the driver's text follows. */
function mapError(error: unknown, what: string): SqlRotationError {
  if (error instanceof SqlRotationError) return error;
  const failure = failureOf(error);
  const code = (error as { code?: unknown }).code;
  const detail = error instanceof Error ? error.message : String(error);
  return new SqlRotationError(failure, `${what}: ${detail}${typeof code === "string" ? ` (${code})` : ""}`, { cause: error });
}

function checkName(name: string): void {
  if (Buffer.byteLength(name, "utf8") > MAX_NAME_BYTES) {
    throw new SqlRotationError("other", `role name ${name} is longer than PostgreSQL's ${MAX_NAME_BYTES} bytes`);
  }
}

/** `ALTER ROLE name PASSWORD 'verifier'`: the verifier is computed here and checked to be base64 only. */
function passwordClause(password: string): string {
  const verifier = scramVerifier(password);
  if (!VERIFIER_PATTERN.test(verifier)) throw new Error("internal: the SCRAM verifier has an unexpected shape");
  return `PASSWORD ${quoteLiteral(verifier)}`;
}

interface SourceRole {
  rolsuper: boolean;
  rolinherit: boolean;
  rolcreaterole: boolean;
  rolcreatedb: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolconnlimit: number;
  validuntil: string | null;
}

function attributes(source: SourceRole): string {
  const limit = Number(source.rolconnlimit);
  if (!Number.isInteger(limit)) throw new Error("internal: rolconnlimit is not an integer");
  return [
    "LOGIN",
    source.rolinherit ? "INHERIT" : "NOINHERIT",
    source.rolcreatedb ? "CREATEDB" : "NOCREATEDB",
    source.rolcreaterole ? "CREATEROLE" : "NOCREATEROLE",
    ...(source.rolsuper ? ["SUPERUSER"] : []),
    ...(source.rolreplication ? ["REPLICATION"] : []),
    ...(source.rolbypassrls ? ["BYPASSRLS"] : []),
    `CONNECTION LIMIT ${limit}`,
    ...(source.validuntil !== null ? [`VALID UNTIL ${quoteLiteral(source.validuntil)}`] : []),
  ].join(" ");
}

class PostgresConnection implements SqlConnection {
  constructor(
    private readonly client: Client,
    private readonly login: string,
  ) {}

  async #query<R extends QueryResultRow>(text: string, values: unknown[], what: string): Promise<QueryResult<R>> {
    try {
      return await this.client.query<R>(text, values);
    } catch (error) {
      throw mapError(error, what);
    }
  }

  async userExists(username: string): Promise<boolean> {
    const result = await this.#query(
      "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1",
      [username],
      `user ${this.login} could not look up role ${username}`,
    );
    return result.rowCount === 1;
  }

  async setPassword(username: string, password: string): Promise<void> {
    checkName(username);
    await this.#query(
      `ALTER ROLE ${quoteIdent(username)} ${passwordClause(password)}`,
      [],
      `user ${this.login} could not change the password of role ${username}`,
    );
  }

  async cloneUser(source: string, clone: string, password: string): Promise<void> {
    checkName(source);
    if (Buffer.byteLength(clone, "utf8") > MAX_NAME_BYTES) {
      throw new SqlRotationError(
        "clone-refused",
        `the alternate role ${clone} would be longer than PostgreSQL's ${MAX_NAME_BYTES} bytes: use a shorter cloneSuffix or login`,
      );
    }
    const refused = `user ${this.login} could not create the alternate role ${clone} from ${source}`;
    await this.#query("BEGIN", [], refused);
    try {
      const found = await this.#query<SourceRole>(
        `SELECT rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil::text AS validuntil
           FROM pg_catalog.pg_roles WHERE rolname = $1`,
        [source],
        refused,
      );
      const role = found.rows[0];
      if (!role) throw new SqlRotationError("user-not-found", `role ${source} does not exist, so it cannot be cloned`);
      const memberships = await this.#query<{ rolname: string; admin_option: boolean }>(
        `SELECT r.rolname, m.admin_option FROM pg_catalog.pg_auth_members m
           JOIN pg_catalog.pg_roles r ON r.oid = m.roleid JOIN pg_catalog.pg_roles u ON u.oid = m.member
          WHERE u.rolname = $1 ORDER BY r.rolname`,
        [source],
        refused,
      );
      const version = await this.#query<{ v: string }>("SELECT current_setting('server_version_num') AS v", [], refused);
      const exists = await this.userExists(clone);
      // A rerun after a crash finds the clone (the transaction committed): bring it in line, same password.
      const statements = [
        `${exists ? "ALTER" : "CREATE"} ROLE ${quoteIdent(clone)} WITH ${attributes(role)} ${passwordClause(password)}`,
        `GRANT ${quoteIdent(source)} TO ${quoteIdent(clone)}${Number(version.rows[0]?.v) >= 160000 ? " WITH INHERIT TRUE" : ""}`,
        ...memberships.rows.map((m) => `GRANT ${quoteIdent(m.rolname)} TO ${quoteIdent(clone)}${m.admin_option ? " WITH ADMIN OPTION" : ""}`),
      ];
      for (const statement of statements) await this.#query(statement, [], refused);
      await this.#query("COMMIT", [], refused);
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => undefined);
      const mapped = mapError(error, refused);
      // Unreachable stays transient; anything else the server refused is a refused clone.
      if (mapped.failure === "unreachable" || mapped.failure === "timeout" || mapped.failure === "user-not-found") throw mapped;
      throw new SqlRotationError("clone-refused", mapped.message, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

export const postgresDialect: SqlDialect = {
  engine: "postgres",
  defaultPort: 5432,
  async connect(endpoint: SqlEndpoint, login: SqlLogin): Promise<SqlConnection> {
    // Loaded on first use: every command loads the registry, few of them talk to PostgreSQL.
    const { default: pg } = await import("pg");
    const client = new pg.Client({
      host: endpoint.host,
      port: endpoint.port,
      database: endpoint.database ?? "postgres",
      user: login.username,
      password: login.password,
      ssl: endpoint.tls.enabled
        ? {
            rejectUnauthorized: endpoint.tls.rejectUnauthorized,
            ...(endpoint.tls.ca !== undefined ? { ca: endpoint.tls.ca } : {}),
            ...(endpoint.tls.serverName !== undefined ? { servername: endpoint.tls.serverName } : {}),
          }
        : false,
      connectionTimeoutMillis: endpoint.connectTimeoutMs,
      statement_timeout: endpoint.statementTimeoutMs,
      // The client gives up a little after the server would have cancelled the statement.
      query_timeout: endpoint.statementTimeoutMs + 5_000,
      application_name: "kvguard",
    });
    // A server that goes away later emits 'error' on the idle client; the next query reports it.
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      const where = `${endpoint.host}:${endpoint.port}`;
      const failure = failureOf(error);
      const what =
        failure === "authentication"
          ? `PostgreSQL at ${where} refused the password of user ${login.username}`
          : failure === "unreachable"
            ? `PostgreSQL at ${where} is unreachable as user ${login.username}`
            : `user ${login.username} could not connect to PostgreSQL at ${where}`;
      throw mapError(error, what);
    }
    return new PostgresConnection(client, login.username);
  },
};
