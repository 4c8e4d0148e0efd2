/**
 * The machine's MariaDB (127.0.0.1:3306, root, empty password) for the mysql rotator's tests. A test file
 * gets a scratch database and a name prefix of its own; everything under the prefix (users, roles, the
 * database) is dropped afterwards. Where no MariaDB answers, the suites are skipped loudly, unless
 * REQUIRE_MARIADB=1 (CI sets it), where they run and fail (machineServices.ts).
 */
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import type { Connection, RowDataPacket } from "mysql2/promise";
import type { SqlEndpoint } from "../../src/rotators/sql/dialect.js";
import { MARIADB, needs } from "./machineServices.js";

export { MARIADB };

/** `describe`, skipped with a warning when MariaDB is down and not required. */
export const describeMariadb = needs("mariadb").describe;

/** The endpoint of the local server for the dialect. */
export function mariadbEndpoint(overrides: Partial<SqlEndpoint> = {}): SqlEndpoint {
  return {
    host: MARIADB.host,
    port: MARIADB.port,
    tls: { enabled: false, rejectUnauthorized: true },
    connectTimeoutMs: 5000,
    statementTimeoutMs: 10_000,
    ...overrides,
  };
}

/** A test file's scratch area: a prefix for every name it makes, a database, and a root connection. */
export class MariadbScratch {
  readonly prefix = `kvg${randomBytes(4).toString("hex")}_`;
  readonly database = `${this.prefix}db`;
  private root?: Connection;

  /** Connects as root and creates the database; fails with the variable's name when MariaDB is down. */
  async start(): Promise<this> {
    try {
      this.root = await mysql.createConnection({ ...MARIADB, connectTimeout: 5000, charset: "utf8mb4_general_ci" });
    } catch (error) {
      throw new Error(`MariaDB is required (REQUIRE_MARIADB=1) but not reachable at ${MARIADB.host}:${MARIADB.port}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    await this.sql(`CREATE DATABASE ${this.id(this.database)}`);
    await this.sql(`CREATE TABLE ${this.id(this.database)}.items (id INT PRIMARY KEY, secret_col INT)`);
    return this;
  }

  /** A backtick-quoted identifier. */
  id(name: string): string {
    return `\`${name.replaceAll("`", "``")}\``;
  }

  /** `'user'@'host'` escaped by the driver. */
  account(user: string, host = "%"): string {
    return `${mysql.escape(user)}@${mysql.escape(host)}`;
  }

  async sql(statement: string, values: unknown[] = []): Promise<RowDataPacket[]> {
    const [rows] = await this.root!.query<RowDataPacket[]>(statement, values);
    return rows;
  }

  /** Creates a user (name = prefix + suffix) with a password and USAGE; returns the full name. */
  async user(suffix: string, password: string, host = "%", extra = ""): Promise<string> {
    const name = `${this.prefix}${suffix}`;
    await this.sql(`CREATE USER ${this.account(name, host)} IDENTIFIED BY ${mysql.escape(password)} ${extra}`);
    return name;
  }

  async grants(user: string, host = "%"): Promise<string[]> {
    return (await this.sql(`SHOW GRANTS FOR ${this.account(user, host)}`)).map((r) => String(Object.values(r)[0]));
  }

  /** Whether `user` can log in with `password` (from 127.0.0.1). */
  async canLogin(user: string, password: string): Promise<boolean> {
    try {
      const conn = await mysql.createConnection({ ...MARIADB, user, password, connectTimeout: 5000, charset: "utf8mb4_general_ci" });
      await conn.end();
      return true;
    } catch (error) {
      if ((error as { errno?: number }).errno === 1045) return false;
      throw error;
    }
  }

  /** Drops every account and role under the prefix, and the database. */
  async stop(): Promise<void> {
    if (!this.root) return;
    const accounts = await this.sql("SELECT User AS user, Host AS host, is_role AS role FROM mysql.user WHERE LEFT(User, ?) = ?", [
      this.prefix.length,
      this.prefix,
    ]);
    for (const a of accounts) {
      await this.sql(a.role === "Y" ? `DROP ROLE IF EXISTS ${this.id(String(a.user))}` : `DROP USER IF EXISTS ${this.account(String(a.user), String(a.host))}`);
    }
    await this.sql(`DROP DATABASE IF EXISTS ${this.id(this.database)}`);
    await this.root.end();
  }
}
