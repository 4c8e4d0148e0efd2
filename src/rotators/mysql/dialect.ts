/**
 * @module The MySQL and MariaDB `SqlDialect`, over `mysql2/promise`. Neither server takes a bound parameter
 * in `IDENTIFIED BY`, `SET PASSWORD` or `CREATE USER`, so passwords and account names go in as string
 * literals made by the connection's own escape, on a session whose sql_mode has been cleared of
 * NO_BACKSLASH_ESCAPES (under which backslash escaping would not hold). Lookups in mysql.user use bound
 * parameters. MariaDB changes passwords with `SET PASSWORD [FOR]` (the account keeps its auth plugin),
 * MySQL with `ALTER USER`; dual passwords are offered on MySQL 8.0.14 and later only.
 */
import { createHash } from "node:crypto";
import type mysql from "mysql2/promise";
import type { Connection, RowDataPacket } from "mysql2/promise";
import { SqlRotationError, type SqlConnection, type SqlDialect, type SqlEndpoint, type SqlLogin } from "../sql/dialect.js";
import { accountLiteral, parseCurrentUser, requireClause, rewriteGrant, type Account } from "./accounts.js";
import { mysqlError } from "./errors.js";

/** What the server said it is. */
export interface MysqlServer {
  version: string;
  mariadb: boolean;
  /** MySQL 8.0.14+: `RETAIN CURRENT PASSWORD` / `DISCARD OLD PASSWORD`. */
  dualPassword: boolean;
}

/** Reads `SELECT VERSION()`: MariaDB says so in it; MySQL's dual passwords arrived in 8.0.14. */
export function describeServer(version: string): MysqlServer {
  const mariadb = /mariadb/i.test(version);
  const [major = 0, minor = 0, patch = 0] = (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  const dualPassword = !mariadb && (major > 8 || (major === 8 && (minor > 0 || patch >= 14)));
  return { version, mariadb, dualPassword };
}

/** The staging account of a clone under construction: short (MySQL allows 32 characters) and fixed per clone. */
export function stagingName(clone: string): string {
  return `kvguard~${createHash("sha256").update(clone).digest("hex").slice(0, 16)}`;
}

const PRIVILEGE_HINTS = {
  lookup: "finding another user's accounts needs SELECT on mysql.user",
  setPassword: "changing another account's password needs the CREATE USER privilege (or UPDATE on the mysql schema)",
  clone: "cloning needs CREATE USER, SELECT on the mysql schema, and every privilege it copies WITH GRANT OPTION",
  dual: "dual passwords need CREATE USER, or APPLICATION_PASSWORD_ADMIN for the connection's own account",
};

/** A connection as one login; exported so MySQL 8 statement shapes can be checked without a MySQL server. */
export class MysqlConnection implements SqlConnection {
  readonly dualPassword?: SqlConnection["dualPassword"];

  constructor(
    private readonly conn: Connection,
    readonly server: MysqlServer,
    private readonly self: Account,
    private readonly login: SqlLogin,
    private readonly statementTimeoutMs: number,
  ) {
    if (server.dualPassword) {
      this.dualPassword = {
        retainCurrent: (username, password) =>
          this.eachAccount(
            username,
            password,
            "dual",
            (a) => `ALTER USER ${this.literal(a)} IDENTIFIED BY ${this.conn.escape(password)} RETAIN CURRENT PASSWORD`,
          ),
        discardOld: (username) => this.eachAccount(username, "", "dual", (a) => `ALTER USER ${this.literal(a)} DISCARD OLD PASSWORD`),
      };
    }
  }

  private literal(account: Account): string {
    return accountLiteral(account, (v) => this.conn.escape(v));
  }

  private isSelf(account: Account): boolean {
    return account.user === this.self.user && account.host === this.self.host;
  }

  /** Runs a statement with the statement timeout; errors name `doing` and never hold a password. */
  private async run(sql: string, doing: string, secrets: string[], options: { hint?: string; inClone?: boolean } = {}): Promise<RowDataPacket[]> {
    try {
      const [rows] = await this.conn.query<RowDataPacket[]>({ sql, timeout: this.statementTimeoutMs });
      return rows;
    } catch (error) {
      throw mysqlError(error, doing, [...secrets, this.login.password], options);
    }
  }

  /** A bound-parameter lookup (a prepared statement). */
  private async lookup(sql: string, values: string[], doing: string, hint: string): Promise<RowDataPacket[]> {
    try {
      const [rows] = await this.conn.execute<RowDataPacket[]>({ sql, timeout: this.statementTimeoutMs }, values);
      return rows;
    } catch (error) {
      throw mysqlError(error, doing, [this.login.password], { hint });
    }
  }

  /**
   * The accounts (one per host pattern) of a user name. The connection's own user is its matched account;
   * another user's are read from mysql.user.
   */
  private async accounts(username: string): Promise<Account[]> {
    if (username === this.self.user) return [this.self];
    const rows = await this.lookup(
      "SELECT Host AS host FROM mysql.user WHERE User = ? ORDER BY Host",
      [username],
      `listing the accounts of user "${username}" as "${this.login.username}"`,
      PRIVILEGE_HINTS.lookup,
    );
    return rows.map((r) => ({ user: username, host: String(r.host) }));
  }

  private async accountsOrFail(username: string): Promise<Account[]> {
    const accounts = await this.accounts(username);
    if (accounts.length === 0)
      throw new SqlRotationError("user-not-found", `no ${this.server.mariadb ? "MariaDB" : "MySQL"} account has the user name "${username}"`);
    return accounts;
  }

  private async eachAccount(username: string, password: string, hint: keyof typeof PRIVILEGE_HINTS, statement: (a: Account) => string): Promise<void> {
    for (const account of await this.accountsOrFail(username)) {
      await this.run(statement(account), `changing the password of '${account.user}'@'${account.host}' as "${this.login.username}"`, [password], {
        hint: PRIVILEGE_HINTS[hint],
      });
    }
  }

  async userExists(username: string): Promise<boolean> {
    return (await this.accounts(username)).length > 0;
  }

  private passwordStatement(account: Account, password: string): string {
    const literal = this.conn.escape(password);
    if (this.server.mariadb)
      return this.isSelf(account) ? `SET PASSWORD = PASSWORD(${literal})` : `SET PASSWORD FOR ${this.literal(account)} = PASSWORD(${literal})`;
    if (!this.isSelf(account)) return `ALTER USER ${this.literal(account)} IDENTIFIED BY ${literal}`;
    // password_require_current (MySQL 8.0.13+) may demand the current password for one's own change.
    const replace = this.server.dualPassword ? ` REPLACE ${this.conn.escape(this.login.password)}` : "";
    return `ALTER USER CURRENT_USER() IDENTIFIED BY ${literal}${replace}`;
  }

  async setPassword(username: string, password: string): Promise<void> {
    await this.eachAccount(username, password, "setPassword", (a) => this.passwordStatement(a, password));
  }

  /** Copies `from`'s grants (SHOW GRANTS rewritten) and TLS requirement (mysql.user) to `to`. */
  private async copyAccess(from: Account, to: Account, doing: string, password: string): Promise<void> {
    const options = { hint: PRIVILEGE_HINTS.clone, inClone: true };
    for (const row of await this.run(`SHOW GRANTS FOR ${this.literal(from)}`, doing, [], options)) {
      let statement: string;
      try {
        statement = rewriteGrant(String(Object.values(row)[0]), from, to);
      } catch (error) {
        throw new SqlRotationError("clone-refused", `${doing}: ${(error as Error).message}`);
      }
      await this.run(statement, doing, [password], options);
    }
    const [tls] = await this.lookup(
      "SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject FROM mysql.user WHERE User = ? AND Host = ?",
      [from.user, from.host],
      doing,
      PRIVILEGE_HINTS.clone,
    );
    if (!tls) return;
    const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString("utf8") : typeof v === "string" ? v : "");
    const require = requireClause(
      { ssl_type: text(tls.ssl_type), ssl_cipher: text(tls.ssl_cipher), x509_issuer: text(tls.x509_issuer), x509_subject: text(tls.x509_subject) },
      (v) => this.conn.escape(v),
    );
    await this.run(`ALTER USER ${this.literal(to)} ${require}`, doing, [], options);
  }

  /**
   * A new clone is built complete under a staging name, one account per host of the source, and renamed
   * into place (RENAME USER carries grants, roles and the default role), so a crash never leaves a clone
   * without its grants; a staging account left by a crash is dropped and rebuilt. An existing clone gets
   * the grants again and this run's password.
   */
  async cloneUser(source: string, clone: string, password: string): Promise<void> {
    const sources = await this.accountsOrFail(source);
    const existing = new Set((await this.accounts(clone)).map((a) => a.host));
    const renames: string[] = [];
    for (const from of sources) {
      const to = { user: clone, host: from.host };
      const doing = `cloning '${from.user}'@'${from.host}' to '${to.user}'@'${to.host}' as "${this.login.username}"`;
      const options = { hint: PRIVILEGE_HINTS.clone, inClone: true };
      if (existing.has(to.host)) {
        await this.copyAccess(from, to, doing, password);
        await this.run(this.passwordStatement(to, password), doing, [password], options);
        continue;
      }
      const staging = { user: stagingName(clone), host: from.host };
      await this.run(`DROP USER IF EXISTS ${this.literal(staging)}`, doing, [], options);
      await this.run(`CREATE USER ${this.literal(staging)} IDENTIFIED BY ${this.conn.escape(password)}`, doing, [password], options);
      await this.copyAccess(from, staging, doing, password);
      renames.push(`${this.literal(staging)} TO ${this.literal(to)}`);
    }
    // Every host's clone appears in one statement, so a crash cannot leave the name half cloned.
    if (renames.length > 0) {
      await this.run(`RENAME USER ${renames.join(", ")}`, `renaming the staging accounts to '${clone}' as "${this.login.username}"`, [], {
        hint: PRIVILEGE_HINTS.clone,
        inClone: true,
      });
    }
  }

  async close(): Promise<void> {
    await this.conn.end().catch(() => this.conn.destroy());
  }
}

function tlsOptions(endpoint: SqlEndpoint): mysql.ConnectionOptions["ssl"] {
  if (!endpoint.tls.enabled) return undefined;
  if (endpoint.tls.serverName && endpoint.tls.serverName !== endpoint.host) {
    throw new SqlRotationError(
      "other",
      `tls.serverName is not supported for MySQL/MariaDB (mysql2 checks the certificate against host "${endpoint.host}"): connect by the name in the certificate`,
    );
  }
  return {
    rejectUnauthorized: endpoint.tls.rejectUnauthorized,
    verifyIdentity: endpoint.tls.rejectUnauthorized,
    ...(endpoint.tls.ca ? { ca: endpoint.tls.ca } : {}),
  };
}

/** Opens a connection and prepares the session: version, own account, sql_mode without NO_BACKSLASH_ESCAPES. */
async function connect(endpoint: SqlEndpoint, login: SqlLogin): Promise<MysqlConnection> {
  const where = `${endpoint.host}:${endpoint.port}`;
  let conn: Connection;
  // Loaded on first use: every command loads the registry, few of them talk to MySQL.
  const { default: driver } = await import("mysql2/promise");
  try {
    conn = await driver.createConnection({
      host: endpoint.host,
      port: endpoint.port,
      user: login.username,
      password: login.password,
      ...(endpoint.database ? { database: endpoint.database } : {}),
      ssl: tlsOptions(endpoint),
      connectTimeout: endpoint.connectTimeoutMs,
      charset: "utf8mb4_general_ci",
      multipleStatements: false,
    });
  } catch (error) {
    throw mysqlError(error, `connecting to ${where} as "${login.username}"`, [login.password]);
  }
  try {
    const [[info]] = await conn.query<RowDataPacket[]>({
      sql: "SELECT VERSION() AS version, CURRENT_USER() AS account, @@SESSION.sql_mode AS mode",
      timeout: endpoint.statementTimeoutMs,
    });
    const modes = String(info?.mode ?? "").split(",");
    if (modes.includes("NO_BACKSLASH_ESCAPES")) {
      await conn.query({
        sql: `SET SESSION sql_mode = ${conn.escape(modes.filter((m) => m !== "NO_BACKSLASH_ESCAPES").join(","))}`,
        timeout: endpoint.statementTimeoutMs,
      });
    }
    return new MysqlConnection(conn, describeServer(String(info?.version)), parseCurrentUser(String(info?.account)), login, endpoint.statementTimeoutMs);
  } catch (error) {
    conn.destroy();
    throw mysqlError(error, `preparing the session on ${where} as "${login.username}"`, [login.password]);
  }
}

export const mysqlDialect: SqlDialect = {
  engine: "mysql",
  defaultPort: 3306,
  connect,
};
