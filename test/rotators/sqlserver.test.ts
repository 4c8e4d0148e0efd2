/**
 * The sqlserver dialect and rotator against the fake SQL Server (test/helpers/fakeSqlServer.ts), since SQL
 * Server cannot run here: the T-SQL is fixed text with every value a parameter, the fake evaluates the
 * server-side QUOTENAME and parses the resulting statement (so hostile names and passwords must arrive
 * intact), server logins vs contained users, clones with role memberships and crash leftovers, and the
 * documented errors classified with no password in any message.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { createSqlRotator } from "../../src/rotators/sql/rotator.js";
import { SqlRotationError, type SqlDialect, type SqlEndpoint } from "../../src/rotators/sql/dialect.js";
import { createSqlServerDialect, mssqlConfig, stagingName } from "../../src/rotators/sqlserver/dialect.js";
import { TSQL } from "../../src/rotators/sqlserver/statements.js";
import type { Credential, RotatorContext } from "../../src/rotators/types.js";
import { FakeSqlServer, quotename } from "../helpers/fakeSqlServer.js";
import { OFFLINE_RUNTIME } from "../helpers/rotation.js";

const HOSTILE_NAMES = ["we]ird'; DROP LOGIN sa;--", "[bracket]]", "ünï名字 ' OR 1=1", "semi;colon\\back"];
const HOSTILE_PASSWORDS = ["Pw'; DROP LOGIN sa;--1", "Pw]]'']x9\\n", "Ünïcødé名字'Pw9", "N'Pw' + 'x'--7"];
const ENDPOINT: SqlEndpoint = {
  host: "sql.example.test",
  port: 1433,
  database: "app",
  tls: { enabled: true, rejectUnauthorized: true },
  connectTimeoutMs: 5000,
  statementTimeoutMs: 5000,
};

let fake: FakeSqlServer;
let dialect: SqlDialect;
const FIXED = new Set<string>(Object.values(TSQL));

beforeEach(() => {
  fake = new FakeSqlServer();
  dialect = createSqlServerDialect(fake.connect);
  fake.database("app", 0);
  fake.database("contained", 1);
  fake.addLogin("admin", "Admin-pw-1!", ["ALTER ANY LOGIN", "ALTER ANY USER", "ALTER ANY ROLE", "VIEW ANY DEFINITION"]);
  fake.addUser("app", "admin", { login: "admin", roles: ["db_owner"] });
});

/** Every batch was one of the fixed texts and no parameter value appears in any batch text. */
function expectParameterisedOnly(): void {
  expect(fake.batches.length).toBeGreaterThan(0);
  for (const { batch, params } of fake.batches) {
    expect(FIXED.has(batch), batch).toBe(true);
    for (const value of Object.values(params)) if (value.length > 2) expect(batch.includes(value)).toBe(false);
  }
}

async function failure(promise: Promise<unknown>, secrets: string[]): Promise<SqlRotationError> {
  const error = await promise.then(
    () => new Error("resolved"),
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(SqlRotationError);
  const text = `${error.message} ${error.stack ?? ""} ${JSON.stringify(error)}`;
  for (const s of secrets) expect(text.includes(s), `error holds a password: ${error.message}`).toBe(false);
  return error as SqlRotationError;
}

describe("sqlserver T-SQL", () => {
  it("sends fixed batches: names and passwords are parameters quoted on the server by QUOTENAME", () => {
    expect(TSQL.alterLogin).toBe(
      [
        "DECLARE @sql nvarchar(max) = N'ALTER LOGIN ' + QUOTENAME(@name) + N' WITH PASSWORD = N' + QUOTENAME(@password, N'''');",
        "IF @sql IS NULL THROW 50000, N'kvguard: QUOTENAME returned NULL (a name or password over 128 characters)', 1;",
        "EXEC sys.sp_executesql @sql;",
      ].join("\n"),
    );
    for (const batch of FIXED) expect(batch).not.toMatch(/\$\{|'\s*\+\s*'/);
    expect(quotename("a]b")).toBe("[a]]b]");
    expect(quotename("it's", "'")).toBe("'it''s'");
    expect(quotename("x".repeat(129))).toBeNull();
  });

  it("maps TLS, timeouts and the database into the mssql configuration", () => {
    const config = mssqlConfig(
      { ...ENDPOINT, tls: { enabled: true, rejectUnauthorized: false, serverName: "alt.example", ca: "PEM" } },
      { username: "u", password: "p" },
    );
    expect(config).toMatchObject({ server: "sql.example.test", port: 1433, database: "app", connectionTimeout: 5000, requestTimeout: 5000 });
    expect(config.options).toEqual({ encrypt: true, trustServerCertificate: true, serverName: "alt.example", cryptoCredentialsDetails: { ca: "PEM" } });
  });
});

describe("sqlserver dialect on the fake", () => {
  it("changes hostile logins' own passwords with OLD_PASSWORD: new works, old fails", async () => {
    for (const [i, name] of HOSTILE_NAMES.entries()) {
      const old = `Old-Pw-${i}'x`;
      fake.addLogin(name, old);
      fake.addUser("app", `${name}-user`, { login: name });
      const conn = await dialect.connect(ENDPOINT, { username: name, password: old });
      await conn.setPassword(name, HOSTILE_PASSWORDS[i]!);
      await conn.close();
      expect(fake.logins.get(name)!.password).toBe(HOSTILE_PASSWORDS[i]);
      expect(await fake.canLogin(name, HOSTILE_PASSWORDS[i]!, "app")).toBe(true);
      expect(await fake.canLogin(name, old, "app")).toBe(false);
    }
    expect(fake.executed.filter((s) => s.includes("OLD_PASSWORD"))).toHaveLength(HOSTILE_NAMES.length);
    expectParameterisedOnly();
  });

  it("changes another login's password as a manager, and contained users' in a contained database", async () => {
    fake.addLogin("app'login", "Start-Pw-1");
    const admin = await dialect.connect(ENDPOINT, { username: "admin", password: "Admin-pw-1!" });
    expect(await admin.userExists("app'login")).toBe(true);
    await admin.setPassword("app'login", HOSTILE_PASSWORDS[0]!);
    await admin.close();
    expect(fake.logins.get("app'login")!.password).toBe(HOSTILE_PASSWORDS[0]);
    expect(fake.executed.at(-1)).toMatch(/^ALTER LOGIN \[app'login\] WITH PASSWORD = N'.*'$/);

    fake.addUser("contained", "tenant]user", { password: "Tenant-Pw-1" });
    fake.addUser("contained", "tenant-admin", { password: "Tenant-Admin-1", roles: ["db_owner"] });
    const endpoint = { ...ENDPOINT, database: "contained" };
    const own = await dialect.connect(endpoint, { username: "tenant]user", password: "Tenant-Pw-1" });
    await own.setPassword("tenant]user", HOSTILE_PASSWORDS[1]!);
    await own.close();
    expect(fake.executed.at(-1)).toMatch(/^ALTER USER \[tenant\]\]user\] WITH PASSWORD = N'.*' OLD_PASSWORD = N'Tenant-Pw-1'$/);
    const manager = await dialect.connect(endpoint, { username: "tenant-admin", password: "Tenant-Admin-1" });
    await manager.setPassword("tenant]user", HOSTILE_PASSWORDS[2]!);
    await manager.close();
    expect(await fake.canLogin("tenant]user", HOSTILE_PASSWORDS[2]!, "contained")).toBe(true);
    expectParameterisedOnly();
  });

  it("clones a login with its database user, database roles and server roles", async () => {
    fake.addLogin("svc]app", "Svc-Pw-1!");
    fake.addUser("app", "svc user", { login: "svc]app", roles: ["db_datareader", "app'writers"] });
    fake.serverRoles.get("dbcreator")!.add("svc]app");
    const admin = await dialect.connect(ENDPOINT, { username: "admin", password: "Admin-pw-1!" });
    await admin.cloneUser("svc]app", "svc]app_clone", HOSTILE_PASSWORDS[3]!);
    expect(await admin.userExists("svc]app_clone")).toBe(true);
    await admin.close();
    const db = fake.databases.get("app")!;
    const cloneUser = fake.mappedUser(db, "svc]app_clone")!;
    expect(cloneUser.name).toBe("svc]app_clone");
    const rolesOf = (user: string) =>
      [...db.roles]
        .filter(([, m]) => m.has(user))
        .map(([r]) => r)
        .sort();
    expect(rolesOf("svc]app_clone")).toEqual(rolesOf("svc user"));
    expect(fake.serverRoles.get("dbcreator")!.has("svc]app_clone")).toBe(true);
    expect(await fake.canLogin("svc]app_clone", HOSTILE_PASSWORDS[3]!, "app")).toBe(true);
    expect(await fake.canLogin("svc]app", "Svc-Pw-1!", "app")).toBe(true);
    expect(fake.logins.has(stagingName("svc]app_clone"))).toBe(false);
    expectParameterisedOnly();
  });

  it("clones a contained user with its roles", async () => {
    fake.addUser("contained", "tenant-admin", { password: "Tenant-Admin-1", roles: ["db_owner"] });
    fake.addUser("contained", "reader", { password: "Reader-Pw-1", roles: ["db_datareader"] });
    const conn = await dialect.connect({ ...ENDPOINT, database: "contained" }, { username: "tenant-admin", password: "Tenant-Admin-1" });
    await conn.cloneUser("reader", "reader_clone", "Clone-Pw-1!");
    await conn.close();
    expect(fake.databases.get("contained")!.roles.get("db_datareader")!.has("reader_clone")).toBe(true);
    expect(await fake.canLogin("reader_clone", "Clone-Pw-1!", "contained")).toBe(true);
    expect(fake.logins.has("reader_clone")).toBe(false);
  });

  it("finishes a clone left by a crash: a staging login with its user, or a finished clone", async () => {
    fake.addLogin("svc", "Svc-Pw-1!");
    fake.addUser("app", "svc", { login: "svc", roles: ["db_datawriter"] });
    // A crash after CREATE LOGIN and CREATE USER, before the roles and the rename.
    fake.addLogin(stagingName("svc_clone"), "Half-Pw-1!");
    fake.addUser("app", "svc_clone", { login: stagingName("svc_clone") });
    const admin = await dialect.connect(ENDPOINT, { username: "admin", password: "Admin-pw-1!" });
    await admin.cloneUser("svc", "svc_clone", "First-Pw-1!");
    expect(fake.logins.has(stagingName("svc_clone"))).toBe(false);
    expect(fake.databases.get("app")!.roles.get("db_datawriter")!.has("svc_clone")).toBe(true);
    // A rerun after the rename: the clone exists and takes the new password.
    await admin.cloneUser("svc", "svc_clone", "Second-Pw-2!");
    await admin.close();
    expect(await fake.canLogin("svc_clone", "Second-Pw-2!", "app")).toBe(true);
    expect(await fake.canLogin("svc_clone", "First-Pw-1!", "app")).toBe(false);
  });

  it("classifies refused logins, network faults, timeouts, missing users and privileges, policy refusals", async () => {
    fake.addLogin("target", "Target-Pw-1");
    fake.addLogin("viewer", "Viewer-Pw-1", ["VIEW ANY DEFINITION"]);
    fake.addLogin("nobody", "Nobody-Pw-1");
    const secrets = ["Target-Pw-1", "Viewer-Pw-1", "Nobody-Pw-1", "Wrong-Pw-'1", "New-Pw-9'x!"];

    const wrong = await failure(dialect.connect(ENDPOINT, { username: "target", password: "Wrong-Pw-'1" }), secrets);
    expect(wrong).toMatchObject({ failure: "authentication" });
    expect(wrong.message).toContain(`"target"`);
    expect(wrong.message).toContain("ELOGIN");

    fake.fault = "socket";
    expect((await failure(dialect.connect(ENDPOINT, { username: "target", password: "Target-Pw-1" }), secrets)).failure).toBe("unreachable");
    fake.fault = "connect-timeout";
    const slow = await failure(dialect.connect(ENDPOINT, { username: "target", password: "Target-Pw-1" }), secrets);
    expect(slow.failure).toBe("unreachable");
    expect(slow.transient).toBe(true);
    fake.fault = undefined;

    const viewer = await dialect.connect({ ...ENDPOINT, database: "master" }, { username: "viewer", password: "Viewer-Pw-1" });
    const denied = await failure(viewer.setPassword("target", "New-Pw-9'x!"), secrets);
    expect(denied.failure).toBe("privilege");
    expect(denied.message).toContain("15151");
    expect(denied.message).toContain("ALTER ANY LOGIN");
    const noCreate = await failure(viewer.cloneUser("target", "target_clone", "New-Pw-9'x!"), secrets);
    expect(noCreate.failure).toBe("privilege");
    expect(noCreate.message).toContain("15247");
    const missing = await failure(viewer.setPassword("ghost", "New-Pw-9'x!"), secrets);
    expect(missing.failure).toBe("user-not-found");
    expect(missing.message).toContain("ghost");
    fake.fault = "request-timeout";
    expect((await failure(viewer.userExists("target"), secrets)).failure).toBe("timeout");
    fake.fault = undefined;
    await viewer.close();

    // Without VIEW ANY DEFINITION the login is invisible: SQL Server's 15151 cannot tell "missing" from "forbidden".
    const nobody = await dialect.connect({ ...ENDPOINT, database: "master" }, { username: "nobody", password: "Nobody-Pw-1" });
    const hidden = await failure(nobody.setPassword("target", "New-Pw-9'x!"), secrets);
    expect(hidden.failure).toBe("user-not-found");
    expect(hidden.message).toContain("do not have permission");
    await nobody.close();

    const admin = await dialect.connect(ENDPOINT, { username: "admin", password: "Admin-pw-1!" });
    const short = await failure(admin.setPassword("target", "Ab1!"), ["Ab1!"]);
    expect(short.message).toMatch(/15116.*password policy/);
    const simple = await failure(admin.setPassword("target", "alllowercaseletters"), ["alllowercaseletters"]);
    expect(simple.message).toContain("15118");
    const long = await failure(admin.setPassword("target", `Aa1!${"x".repeat(130)}`), [`Aa1!${"x".repeat(130)}`]);
    expect(long.message).toContain("at most 128");
    const longName = await failure(admin.setPassword("n".repeat(130), "Good-Pw-1!"), ["Good-Pw-1!"]);
    expect(longName.message).toContain("QUOTENAME returned NULL");
    await admin.close();
    expect(fake.logins.get("target")!.password).toBe("Target-Pw-1");
  });
});

describe("sqlserver rotator flow on the fake", () => {
  function context(options: Record<string, unknown>, secrets: Record<string, { value: string; tags: Record<string, string> }>, logs: string[]): RotatorContext {
    const rotator = createSqlRotator(dialect, "sqlserver");
    return {
      vault: { name: "local", url: "https://127.0.0.1" },
      secretName: "db-app",
      runtime: OFFLINE_RUNTIME,
      credentialId: "app",
      providerAddress: "sql.example.test",
      options: rotator.parseOptions(options),
      log: (m) => logs.push(m),
      readSecret: (name) => (secrets[name] ? Promise.resolve(secrets[name]) : Promise.reject(new Error(`no secret ${name}`))),
      // What the engine passes from the operator's binding: the fake server has no certificate to verify.
      tlsFloor: () => "require",
    };
  }

  it("single user: create, set, test; the old password stops working", async () => {
    fake.addLogin("app", "Current-Pw-1!");
    fake.addUser("app", "app", { login: "app" });
    const rotator = createSqlRotator(dialect, "sqlserver");
    const logs: string[] = [];
    const ctx = context({ database: "app", tls: "require" }, {}, logs);
    const current: Credential = { value: "Current-Pw-1!", metadata: {} };
    const pending = await rotator.create(ctx, current);
    await rotator.set(ctx, pending, current);
    await rotator.test(ctx, pending, "pending");
    expect(fake.logins.get("app")!.password).toBe(pending.value);
    const old = await failure(rotator.test(ctx, current, "current"), [pending.value, "Current-Pw-1!"]);
    expect(old.failure).toBe("authentication");
    expect(logs.join("\n")).not.toContain(pending.value);
  });

  it("alternating users: the clone is made with its roles, both work until revoke", async () => {
    fake.addLogin("app", "Current-Pw-1!");
    fake.addUser("app", "app", { login: "app", roles: ["db_datareader"] });
    const rotator = createSqlRotator(dialect, "sqlserver");
    const logs: string[] = [];
    const secrets = {
      "db-admin": { value: "Admin-pw-1!", tags: { CredentialId: "admin" } },
      "db-app": { value: "", tags: { CredentialId: "app_clone", ProviderAddress: "sql.example.test" } },
    };
    const ctx = context({ strategy: "alternating", manager: "db-admin", database: "app" }, secrets, logs);
    const current: Credential = { value: "Current-Pw-1!", metadata: {} };
    const pending = await rotator.create(ctx, current);
    expect(pending.metadata.credentialId).toBe("app_clone");
    await rotator.set(ctx, { ...pending }, current);
    const next = { ...ctx, credentialId: "app_clone" };
    await rotator.test(next, pending, "pending");
    await rotator.test(ctx, current, "current");
    expect(fake.databases.get("app")!.roles.get("db_datareader")!.has("app_clone")).toBe(true);
    // After the grace period: the live secret holds app_clone; app gets a password nobody holds.
    secrets["db-app"].value = pending.value;
    await rotator.revoke(next, { ...current, metadata: { credentialId: "app" } });
    expect(await fake.canLogin("app", "Current-Pw-1!", "app")).toBe(false);
    expect(await fake.canLogin("app_clone", pending.value, "app")).toBe(true);
    expect(logs.join("\n")).not.toContain(pending.value);
  });

  it("refuses the dual-password strategy clearly: SQL Server has none", async () => {
    fake.addLogin("app", "Current-Pw-1!");
    fake.addUser("app", "app", { login: "app" });
    const rotator = createSqlRotator(dialect, "sqlserver");
    const ctx = context({ strategy: "dual-password", database: "app" }, {}, []);
    const current: Credential = { value: "Current-Pw-1!", metadata: {} };
    const pending = await rotator.create(ctx, current);
    const error = await failure(rotator.set(ctx, pending, current), [pending.value]);
    expect(error.message).toMatch(/no dual passwords/);
  });
});
