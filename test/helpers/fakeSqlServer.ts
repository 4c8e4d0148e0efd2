/**
 * A fake SQL Server behind the sqlserver dialect's connection layer (`TdsConnect`), since SQL Server cannot
 * run here. It keeps logins, databases (with `containment`), users, roles and passwords in memory, answers
 * the dialect's fixed SELECT batches, and for the dynamic batches does what SQL Server would: evaluates the
 * `DECLARE @sql = …` expression (string literals, `+`, QUOTENAME with its bracket and quote rules and its
 * NULL above 128 characters), then parses and runs the resulting statement with a small T-SQL tokenizer,
 * so a quoting mistake shows up as a different statement or a syntax error. Errors have the shapes mssql
 * gives over tedious: ConnectionError ELOGIN ("Login failed for user 'x'.", server error 18456), ESOCKET
 * and ETIMEOUT; RequestError with `number` 15151, 15247, 15025, 15023, 15007, 15063, 15116, 15118, 33233,
 * 102 and 50000 and SQL Server's message texts.
 */
import sql from "mssql";
import { ensureError } from "../../src/common/errors.js";
import type { TdsConnect, TdsParams, TdsSession } from "../../src/rotators/sqlserver/session.js";
import { TSQL } from "../../src/rotators/sqlserver/statements.js";

export type Permission = "ALTER ANY LOGIN" | "ALTER ANY USER" | "ALTER ANY ROLE" | "VIEW ANY DEFINITION";

interface Login {
  name: string;
  password: string;
  sid: string;
  permissions: Set<Permission>;
}

interface DbUser {
  name: string;
  sid: string;
  /** Contained users have a password; login users have none. */
  password?: string;
  permissions: Set<Permission>;
}

interface Database {
  name: string;
  containment: 0 | 1;
  users: Map<string, DbUser>;
  /** Role → member user names. */
  roles: Map<string, Set<string>>;
}

export function requestError(number: number, message: string): sql.RequestError {
  const error = Object.assign(new Error(message), { info: { number, state: 1, class: 16, message, serverName: "fake-sql", procName: "", lineNumber: 1 } });
  return new sql.RequestError(error, "EREQUEST");
}

function connectionError(code: "ELOGIN" | "ESOCKET" | "ETIMEOUT", message: string): sql.ConnectionError {
  return new sql.ConnectionError(Object.assign(new Error(message), { code }), code);
}

/** SQL Server's password policy (CHECK_POLICY ON): 8+ characters from 3 of 4 categories. */
function checkPolicy(password: string): void {
  if ([...password].length < 8)
    throw requestError(15116, "Password validation failed. The password does not meet the operating system policy requirements because it is too short.");
  const categories = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (categories < 3)
    throw requestError(
      15118,
      "Password validation failed. The password does not meet the operating system policy requirements because it is not complex enough.",
    );
}

/** QUOTENAME(s) / QUOTENAME(s, ''''): NULL above 128 characters. */
export function quotename(value: string, quote: "[" | "'" = "["): string | null {
  if ([...value].length > 128) return null;
  return quote === "[" ? `[${value.replaceAll("]", "]]")}]` : `'${value.replaceAll("'", "''")}'`;
}

type Token = { kind: "word" | "id" | "string" | "sym"; text: string };

/** T-SQL tokens: [bracketed ids] with `]]`, N'strings' with `''`, words, `=`, `+`, `(`, `)`, `,`, `@vars`. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const syntax = (): never => {
    throw requestError(102, `Incorrect syntax near '${text.slice(i, i + 10)}'.`);
  };
  const quoted = (open: number, close: string): string => {
    let out = "";
    let j = open;
    for (;;) {
      if (j >= text.length) return syntax();
      if (text[j] === close) {
        if (text[j + 1] === close) {
          out += close;
          j += 2;
          continue;
        }
        i = j + 1;
        return out;
      }
      out += text[j++];
    }
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === "[") tokens.push({ kind: "id", text: quoted(i + 1, "]") });
    else if (c === "'" || (c === "N" && text[i + 1] === "'")) tokens.push({ kind: "string", text: quoted(i + (c === "N" ? 2 : 1), "'") });
    else if (/[A-Za-z_@]/.test(c)) {
      const word = /^[@A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))![0];
      tokens.push({ kind: "word", text: word.startsWith("@") ? word : word.toUpperCase() });
      i += word.length;
    } else if ("=+(),;".includes(c)) tokens.push({ kind: "sym", text: text[i++]! });
    else syntax();
  }
  return tokens;
}

const DYNAMIC = /^DECLARE @sql nvarchar\(max\) = (.*);\nIF @sql IS NULL THROW 50000, N'((?:[^']|'')*)', 1;\nEXEC sys\.sp_executesql @sql;$/s;

/** Evaluates `N'..' + QUOTENAME(@p) + QUOTENAME(@p, N'''')…` with the batch's parameters. */
function evaluate(expression: string, params: TdsParams): string | null {
  const tokens = tokenize(expression);
  let out: string | null = "";
  let at = 0;
  const param = (name: string): string => {
    const value = params[name.slice(1)];
    if (value === undefined) throw requestError(137, `Must declare the scalar variable "${name}".`);
    return value;
  };
  for (;;) {
    const t = tokens[at++];
    let value: string | null;
    if (t?.kind === "string") value = t.text;
    else if (t?.kind === "word" && t.text === "QUOTENAME" && tokens[at]?.text === "(") {
      const name = tokens[at + 1]!.text;
      if (tokens[at + 2]?.text === ",") {
        if (tokens[at + 3]?.text !== "'" || tokens[at + 4]?.text !== ")") throw requestError(102, "Incorrect syntax near 'QUOTENAME'.");
        value = quotename(param(name), "'");
        at += 5;
      } else {
        value = quotename(param(name));
        at += 3;
      }
    } else throw requestError(102, "Incorrect syntax near '+'.");
    out = out === null || value === null ? null : out + value;
    if (at >= tokens.length) return out;
    if (tokens[at++]?.text !== "+") throw requestError(102, "Incorrect syntax near the expression.");
  }
}

/** One session: who logged in and into which database. */
interface Principal {
  login?: Login;
  user?: DbUser;
  db: Database;
}

export class FakeSqlServer {
  readonly logins = new Map<string, Login>();
  readonly serverRoles = new Map<string, Set<string>>([
    ["sysadmin", new Set()],
    ["securityadmin", new Set()],
    ["dbcreator", new Set()],
  ]);
  readonly databases = new Map<string, Database>();
  /** Every batch with its parameters and who ran it, for assertions on the T-SQL. */
  readonly batches: { batch: string; params: TdsParams; as: string }[] = [];
  /** Statements run by sp_executesql, after QUOTENAME (they hold passwords: tests only). */
  readonly executed: string[] = [];
  /** Network faults: refused connections, a connect timeout, or every request timing out. */
  fault: "socket" | "connect-timeout" | "request-timeout" | undefined;
  private sids = 0;

  constructor() {
    this.database("master", 0);
  }

  database(name: string, containment: 0 | 1): Database {
    const db: Database = {
      name,
      containment,
      users: new Map(),
      roles: new Map(["db_owner", "db_datareader", "db_datawriter", "db_securityadmin", "db_accessadmin"].map((r) => [r, new Set<string>()])),
    };
    this.databases.set(name, db);
    return db;
  }

  addLogin(name: string, password: string, permissions: Permission[] = []): Login {
    const login = { name, password, sid: `0x${(++this.sids).toString(16)}`, permissions: new Set(permissions) };
    this.logins.set(name, login);
    return login;
  }

  addUser(db: string, name: string, init: { login?: string; password?: string; roles?: string[]; permissions?: Permission[] }): DbUser {
    const database = this.databases.get(db)!;
    const sid = init.login ? this.logins.get(init.login)!.sid : `0x${(++this.sids).toString(16)}`;
    const user: DbUser = { name, sid, ...(init.password !== undefined ? { password: init.password } : {}), permissions: new Set(init.permissions ?? []) };
    database.users.set(name, user);
    for (const role of init.roles ?? []) {
      if (!database.roles.has(role)) database.roles.set(role, new Set());
      database.roles.get(role)!.add(name);
    }
    return user;
  }

  /** The database user mapped to a login (by sid). */
  mappedUser(db: Database, login: string): DbUser | undefined {
    const sid = this.logins.get(login)?.sid;
    return [...db.users.values()].find((u) => u.sid === sid && u.password === undefined);
  }

  /** Whether `name` can log in to `database` with `password` (a check for tests). */
  async canLogin(name: string, password: string, database = "master"): Promise<boolean> {
    try {
      await (await this.connect({ server: "fake", user: name, password, database })).close();
      return true;
    } catch {
      return false;
    }
  }

  readonly connect: TdsConnect = (config) => {
    if (this.fault === "socket")
      return Promise.reject(connectionError("ESOCKET", `Failed to connect to ${config.server}:${config.port ?? 1433} - connect ECONNREFUSED`));
    if (this.fault === "connect-timeout")
      return Promise.reject(
        connectionError("ETIMEOUT", `Failed to connect to ${config.server}:${config.port ?? 1433} in ${config.connectionTimeout ?? 15000}ms`),
      );
    const name = config.user ?? "";
    const db = this.databases.get(config.database ?? "master");
    const failed = () => Promise.reject(connectionError("ELOGIN", `Login failed for user '${name}'.`));
    if (!db) return Promise.reject(connectionError("ELOGIN", `Cannot open database "${config.database}" requested by the login. The login failed.`));
    let principal: Principal;
    const contained = db.containment === 1 ? db.users.get(name) : undefined;
    if (contained?.password !== undefined) {
      if (contained.password !== config.password) return failed();
      principal = { user: contained, db };
    } else {
      const login = this.logins.get(name);
      if (!login || login.password !== config.password) return failed();
      const user = this.mappedUser(db, name);
      if (!user && !this.serverRoles.get("sysadmin")!.has(name) && db.name !== "master") {
        return Promise.reject(connectionError("ELOGIN", `Cannot open database "${db.name}" requested by the login. The login failed.`));
      }
      principal = { login, db, ...(user ? { user } : {}) };
    }
    return Promise.resolve(this.session(principal));
  };

  private session(who: Principal): TdsSession {
    return {
      query: (batch, params) => {
        this.batches.push({ batch, params, as: who.login?.name ?? who.user!.name });
        if (this.fault === "request-timeout") return Promise.reject(new sql.RequestError("Timeout: Request failed to complete in 30000ms", "ETIMEOUT"));
        try {
          return Promise.resolve(this.run(who, batch, params));
        } catch (error) {
          return Promise.reject(ensureError(error));
        }
      },
      close: () => Promise.resolve(),
    };
  }

  private has(who: Principal, permission: Permission): boolean {
    const login = who.login?.name;
    if (login && this.serverRoles.get("sysadmin")!.has(login)) return true;
    if (login && permission === "ALTER ANY LOGIN" && this.serverRoles.get("securityadmin")!.has(login)) return true;
    if (who.login?.permissions.has(permission) || who.user?.permissions.has(permission)) return true;
    return (permission === "ALTER ANY USER" || permission === "ALTER ANY ROLE") && who.user !== undefined && who.db.roles.get("db_owner")!.has(who.user.name);
  }

  private run(who: Principal, batch: string, params: TdsParams): Record<string, unknown>[] {
    const { db } = who;
    const seesServer = this.has(who, "VIEW ANY DEFINITION") || this.has(who, "ALTER ANY LOGIN");
    const seesDb = seesServer || this.has(who, "ALTER ANY USER");
    switch (batch) {
      case TSQL.probe:
        return [{ containment: db.containment }];
      case TSQL.principal: {
        const name = params.name!;
        const login = this.logins.get(name);
        const visibleLogin = login && (seesServer || who.login?.name === name) ? login : undefined;
        const user = db.users.get(name);
        const visibleUser = user && (seesDb || who.user?.name === name) ? user : undefined;
        return [
          {
            login: visibleLogin ? 1 : 0,
            containedUser: visibleUser?.password !== undefined ? 1 : 0,
            mappedUser: visibleLogin ? (this.mappedUser(db, name)?.name ?? null) : null,
          },
        ];
      }
      case TSQL.roles: {
        const rows: Record<string, unknown>[] = [];
        for (const [role, members] of db.roles) if (members.has(params.user!)) rows.push({ role, scope: "database" });
        for (const [role, members] of this.serverRoles) if (members.has(params.login!)) rows.push({ role, scope: "server" });
        return rows;
      }
    }
    const dynamic = DYNAMIC.exec(batch);
    if (!dynamic) throw requestError(102, "Incorrect syntax near the batch.");
    const statement = evaluate(dynamic[1]!, params);
    if (statement === null) throw requestError(50000, dynamic[2]!.replaceAll("''", "'"));
    this.executed.push(statement);
    this.execute(who, tokenize(statement));
    return [];
  }

  /** Runs one dynamic statement, matched token by token. */
  private execute(who: Principal, t: Token[]): void {
    const { db } = who;
    const words = t.map((x) => (x.kind === "word" || x.kind === "sym" ? x.text : `<${x.kind}>`)).join(" ");
    const arg = (i: number) => t[i]!.text;
    const cannotAlter = (kind: string, name: string) =>
      requestError(15151, `Cannot alter the ${kind} '${name}', because it does not exist or you do not have permission.`);
    const noPermission = () => requestError(15247, "User does not have permission to perform this action.");
    switch (words) {
      case "ALTER LOGIN <id> WITH PASSWORD = <string>":
      case "ALTER LOGIN <id> WITH PASSWORD = <string> OLD_PASSWORD = <string>": {
        const login = this.logins.get(arg(2));
        const old = t[7] ? arg(9) : undefined;
        const own = who.login?.name === arg(2) && old !== undefined && old === login?.password;
        if (!login || (!this.has(who, "ALTER ANY LOGIN") && !own) || (old !== undefined && old !== login.password)) throw cannotAlter("login", arg(2));
        checkPolicy(arg(6));
        login.password = arg(6);
        return;
      }
      case "ALTER USER <id> WITH PASSWORD = <string>":
      case "ALTER USER <id> WITH PASSWORD = <string> OLD_PASSWORD = <string>": {
        const user = db.users.get(arg(2));
        const old = t[7] ? arg(9) : undefined;
        const own = who.user?.name === arg(2) && old !== undefined && old === user?.password;
        if (!user || user.password === undefined || (!this.has(who, "ALTER ANY USER") && !own) || (old !== undefined && old !== user.password))
          throw cannotAlter("user", arg(2));
        checkPolicy(arg(6));
        user.password = arg(6);
        return;
      }
      case "CREATE LOGIN <id> WITH PASSWORD = <string>":
        if (!this.has(who, "ALTER ANY LOGIN")) throw noPermission();
        if (this.logins.has(arg(2))) throw requestError(15025, `The server principal '${arg(2)}' already exists.`);
        checkPolicy(arg(6));
        this.addLogin(arg(2), arg(6));
        return;
      case "CREATE USER <id> WITH PASSWORD = <string>":
        if (db.containment !== 1) throw requestError(33233, "You can only create a user with a password in a contained database.");
        if (!this.has(who, "ALTER ANY USER")) throw noPermission();
        if (db.users.has(arg(2))) throw requestError(15023, `User, group, or role '${arg(2)}' already exists in the current database.`);
        checkPolicy(arg(6));
        this.addUser(db.name, arg(2), { password: arg(6) });
        return;
      case "CREATE USER <id> FOR LOGIN <id>":
        if (!this.has(who, "ALTER ANY USER")) throw noPermission();
        if (!this.logins.has(arg(5))) throw requestError(15007, `'${arg(5)}' is not a valid login or you do not have permission.`);
        if (db.users.has(arg(2))) throw requestError(15023, `User, group, or role '${arg(2)}' already exists in the current database.`);
        if (this.mappedUser(db, arg(5))) throw requestError(15063, "The login already has an account under a different user name.");
        this.addUser(db.name, arg(2), { login: arg(5) });
        return;
      case "ALTER LOGIN <id> WITH NAME = <id>": {
        const login = this.logins.get(arg(2));
        if (!login || !this.has(who, "ALTER ANY LOGIN")) throw cannotAlter("login", arg(2));
        if (this.logins.has(arg(6))) throw requestError(15025, `The server principal '${arg(6)}' already exists.`);
        this.logins.delete(login.name);
        for (const members of this.serverRoles.values()) if (members.delete(login.name)) members.add(arg(6));
        login.name = arg(6);
        this.logins.set(login.name, login);
        return;
      }
      case "ALTER USER <id> WITH NAME = <id>": {
        const user = db.users.get(arg(2));
        if (!user || !this.has(who, "ALTER ANY USER")) throw cannotAlter("user", arg(2));
        if (db.users.has(arg(6))) throw requestError(15023, `User, group, or role '${arg(6)}' already exists in the current database.`);
        db.users.delete(user.name);
        for (const members of db.roles.values()) if (members.delete(user.name)) members.add(arg(6));
        user.name = arg(6);
        db.users.set(user.name, user);
        return;
      }
      case "ALTER ROLE <id> ADD MEMBER <id>": {
        const role = db.roles.get(arg(2));
        if (!role || !this.has(who, "ALTER ANY ROLE")) throw cannotAlter("role", arg(2));
        if (!db.users.has(arg(5))) throw requestError(15151, `Cannot add the principal '${arg(5)}', because it does not exist or you do not have permission.`);
        role.add(arg(5));
        return;
      }
      case "ALTER SERVER ROLE <id> ADD MEMBER <id>": {
        const role = this.serverRoles.get(arg(3));
        if (!role || !this.has(who, "ALTER ANY LOGIN")) throw cannotAlter("server role", arg(3));
        if (!this.logins.has(arg(6)))
          throw requestError(15151, `Cannot add the principal '${arg(6)}', because it does not exist or you do not have permission.`);
        role.add(arg(6));
        return;
      }
      default:
        throw requestError(102, `Incorrect syntax near '${t.at(-1)?.text ?? ""}'.`);
    }
  }
}
