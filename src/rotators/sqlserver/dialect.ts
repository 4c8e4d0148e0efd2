/**
 * @module The SQL Server / Azure SQL `SqlDialect`. A name is a server login (`ALTER LOGIN`), or, in a
 * partially contained database (`sys.databases.containment` = 1), possibly a contained user with its own
 * password (`ALTER USER`). Changing one's own password passes OLD_PASSWORD (no ALTER ANY LOGIN/USER
 * needed). A clone is built under a staging name with the source's database and server role memberships
 * and renamed into place last, so a crash never leaves a clone without its roles. Explicit GRANTs
 * (sys.database_permissions) are not copied: give the user its rights through roles.
 */
import { createHash } from "node:crypto";
import type sql from "mssql";
import { SqlRotationError, type SqlConnection, type SqlDialect, type SqlEndpoint, type SqlLogin } from "../sql/dialect.js";
import { sqlServerError, type SqlServerErrorOptions } from "./errors.js";
import { mssqlConnect, type TdsConnect, type TdsParams, type TdsSession } from "./session.js";
import { TSQL } from "./statements.js";

/** SQL Server's longest password (and QUOTENAME's longest input). */
export const MAX_PASSWORD = 128;

interface Principal {
  login: boolean;
  containedUser: boolean;
  /** The database user mapped to the login, if any. */
  mappedUser?: string;
}

/** The staging name of a clone under construction, fixed per clone so a rerun finds it. */
export function stagingName(clone: string): string {
  return `kvguard~${createHash("sha256").update(clone).digest("hex").slice(0, 16)}`;
}

const HINTS = {
  setPassword: "changing another login's password needs ALTER ANY LOGIN (a contained user's: ALTER ANY USER)",
  clone: "cloning needs ALTER ANY LOGIN and ALTER ANY USER (contained: ALTER ANY USER), and ALTER on each role it adds the clone to",
};

class SqlServerConnection implements SqlConnection {
  constructor(
    private readonly session: TdsSession,
    private readonly contained: boolean,
    private readonly login: SqlLogin,
  ) {}

  private async run(batch: string, params: TdsParams, doing: string, options: SqlServerErrorOptions = {}): Promise<Record<string, unknown>[]> {
    try {
      return await this.session.query(batch, params);
    } catch (error) {
      const passwords = Object.entries(params)
        .filter(([key]) => /password/i.test(key))
        .map(([, value]) => value);
      throw sqlServerError(error, doing, [this.login.password, ...passwords], options);
    }
  }

  private async principal(name: string): Promise<Principal> {
    const [row] = await this.run(TSQL.principal, { name }, `looking up "${name}" as "${this.login.username}"`);
    const mapped = row?.mappedUser;
    return { login: row?.login === 1, containedUser: row?.containedUser === 1, ...(typeof mapped === "string" ? { mappedUser: mapped } : {}) };
  }

  /** A contained user is used only in a contained database; everything else is a server login. */
  private isContained(p: Principal): boolean {
    return this.contained && p.containedUser && !p.login;
  }

  private isSelf(name: string): boolean {
    return name.toLowerCase() === this.login.username.toLowerCase();
  }

  async userExists(username: string): Promise<boolean> {
    const p = await this.principal(username);
    return p.login || (this.contained && p.containedUser);
  }

  private checkLength(password: string): void {
    if ([...password].length > MAX_PASSWORD)
      throw new SqlRotationError("other", `SQL Server passwords are at most ${MAX_PASSWORD} characters: lower the rotator's length option`);
  }

  async setPassword(username: string, password: string): Promise<void> {
    this.checkLength(password);
    const p = await this.principal(username);
    const contained = this.isContained(p) || (this.contained && !p.login && this.isSelf(username));
    const self = this.isSelf(username);
    const batch = contained ? (self ? TSQL.alterOwnUser : TSQL.alterUser) : self ? TSQL.alterOwnLogin : TSQL.alterLogin;
    const params: TdsParams = { name: username, password, ...(self ? { oldPassword: this.login.password } : {}) };
    const what = contained ? "contained user" : "login";
    await this.run(batch, params, `changing the password of ${what} "${username}" as "${this.login.username}"`, {
      principalVisible: p.login || p.containedUser,
      hint: HINTS.setPassword,
    });
  }

  async cloneUser(source: string, clone: string, password: string): Promise<void> {
    this.checkLength(password);
    const from = await this.principal(source);
    if (!from.login && !(this.contained && from.containedUser))
      throw new SqlRotationError("user-not-found", `no login or contained user "${source}" (or "${this.login.username}" may not see it: VIEW ANY DEFINITION)`);
    const doing = `cloning "${source}" to "${clone}" as "${this.login.username}"`;
    const options = { inClone: true, hint: HINTS.clone };
    const staging = stagingName(clone);
    const contained = this.isContained(from);
    // Work on the clone if it exists, else on a staging principal left by a crash, else a new one.
    const existing = await this.principal(clone);
    const has = (p: Principal) => (contained ? p.containedUser : p.login);
    const name = has(existing) ? clone : has(await this.principal(staging)) ? staging : undefined;
    const target = name ?? staging;
    if (name === undefined) await this.run(contained ? TSQL.createContainedUser : TSQL.createLogin, { name: target, password }, doing, options);
    else await this.run(contained ? TSQL.alterUser : TSQL.alterLogin, { name: target, password }, doing, options);

    // A login's clone gets a database user here when the source has one; a contained user is its own.
    let databaseUser = contained ? target : (await this.principal(target)).mappedUser;
    if (!contained && databaseUser === undefined && from.mappedUser !== undefined) {
      await this.run(TSQL.createUserForLogin, { name: clone, login: target }, doing, options);
      databaseUser = clone;
    }
    const roles = await this.run(TSQL.roles, { user: contained ? source : (from.mappedUser ?? ""), login: contained ? "" : source }, doing, options);
    for (const row of roles) {
      const role = String(row.role);
      if (row.scope === "server") await this.run(TSQL.addServerRoleMember, { role, name: target }, doing, options);
      else if (databaseUser !== undefined) await this.run(TSQL.addRoleMember, { role, name: databaseUser }, doing, options);
    }
    if (target === staging) await this.run(contained ? TSQL.renameUser : TSQL.renameLogin, { name: staging, newName: clone }, doing, options);
  }

  async close(): Promise<void> {
    await this.session.close().catch(() => undefined);
  }
}

/** The mssql configuration for an endpoint and login. */
export function mssqlConfig(endpoint: SqlEndpoint, login: SqlLogin): sql.config {
  return {
    server: endpoint.host,
    port: endpoint.port,
    user: login.username,
    password: login.password,
    ...(endpoint.database ? { database: endpoint.database } : {}),
    connectionTimeout: endpoint.connectTimeoutMs,
    requestTimeout: endpoint.statementTimeoutMs,
    options: {
      encrypt: endpoint.tls.enabled,
      trustServerCertificate: !endpoint.tls.rejectUnauthorized,
      ...(endpoint.tls.serverName ? { serverName: endpoint.tls.serverName } : {}),
      ...(endpoint.tls.ca ? { cryptoCredentialsDetails: { ca: endpoint.tls.ca } } : {}),
    },
  };
}

/** The dialect over a connection layer (mssql by default; tests pass a fake). */
export function createSqlServerDialect(connectTds: TdsConnect = mssqlConnect): SqlDialect {
  return {
    engine: "sqlserver",
    defaultPort: 1433,
    async connect(endpoint, login) {
      const where = `${endpoint.host}:${endpoint.port}${endpoint.database ? `/${endpoint.database}` : ""}`;
      let session: TdsSession;
      try {
        session = await connectTds(mssqlConfig(endpoint, login));
      } catch (error) {
        throw sqlServerError(error, `connecting to ${where} as "${login.username}"`, [login.password], { connecting: true });
      }
      try {
        const [row] = await session.query(TSQL.probe, {});
        return new SqlServerConnection(session, row?.containment === 1, login);
      } catch (error) {
        await session.close().catch(() => undefined);
        throw sqlServerError(error, `reading the database's containment on ${where} as "${login.username}"`, [login.password]);
      }
    },
  };
}

export const sqlServerDialect = createSqlServerDialect();
