/**
 * The mysql dialect against the machine's MariaDB: hostile user names, host patterns and passwords
 * rotate; clones get the same grants, roles and TLS requirement; errors are classified, name the login and
 * never hold a password. MySQL itself does not run here: its statement forms (ALTER USER, REPLACE, dual
 * passwords) are checked on a recording driver, and the version detection on version strings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountLiteral, grantee, parseCurrentUser, rewriteGrant } from "../../src/rotators/mysql/accounts.js";
import mysql, { type Connection } from "mysql2/promise";
import { describeServer, MysqlConnection, mysqlDialect, stagingName } from "../../src/rotators/mysql/dialect.js";
import { mysqlError, redact } from "../../src/rotators/mysql/errors.js";
import { SqlRotationError, type SqlConnection } from "../../src/rotators/sql/dialect.js";
import { describeMariadb, mariadbEndpoint, MariadbScratch, MARIADB } from "../helpers/mariadb.js";

const HOSTILE_NAMES = [`o'brien`, `back\\slash"dq`, `semi;colon -- DROP USER root`, "ünï名字`tick", "pct%under_score"];
const HOSTILE_PASSWORDS = [`p'w"\\;--x1A`, `\\'; DROP DATABASE mysql; --Qz9`, "ünïcødé名字Pw9!", `%_*?\`$(x)\n\ttab`, "a\\\\'\\'b'c"];
const ROOT = { username: MARIADB.user, password: MARIADB.password };

/** Every message of a SqlRotationError from `promise`, checked to hold none of `secrets`. */
async function failure(promise: Promise<unknown>, secrets: string[]): Promise<SqlRotationError> {
  const error = await promise.then(
    () => new Error("resolved"),
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(SqlRotationError);
  const text = `${error.message} ${error.stack ?? ""} ${JSON.stringify(error)} ${JSON.stringify((error as { cause?: unknown }).cause ?? "")}`;
  for (const s of secrets) expect(text.includes(s), `error text holds a password: ${error.message}`).toBe(false);
  return error as SqlRotationError;
}

describe("MySQL account text", () => {
  it("quotes accounts as SHOW GRANTS prints them and rewrites a row to another account", () => {
    const from = { user: "a`b'c", host: "10.%" };
    const to = { user: "a`b'c_clone", host: "10.%" };
    expect(grantee(from)).toBe("`a``b'c`@`10.%`");
    const row = "GRANT USAGE ON *.* TO `a``b'c`@`10.%` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122' REQUIRE SSL";
    expect(rewriteGrant(row, from, to)).toBe("GRANT USAGE ON *.* TO `a``b'c_clone`@`10.%` REQUIRE SSL");
    expect(rewriteGrant("SET DEFAULT ROLE `r` FOR `a``b'c`@`10.%`", from, to)).toBe("SET DEFAULT ROLE `r` FOR `a``b'c_clone`@`10.%`");
    // An object whose name spells the grantee is not mistaken for it (its backticks are doubled).
    const tricky = "GRANT SELECT ON `x TO ``a````b'c``@``10.%```.* TO `a``b'c`@`10.%` WITH GRANT OPTION";
    expect(rewriteGrant(tricky, from, to)).toBe("GRANT SELECT ON `x TO ``a````b'c``@``10.%```.* TO `a``b'c_clone`@`10.%` WITH GRANT OPTION");
    expect(() => rewriteGrant("GRANT USAGE ON *.* TO `other`@`%`", from, to)).toThrow(/does not name the account/);
    expect(accountLiteral(from, (v) => `<${v}>`)).toBe("<a`b'c>@<10.%>");
    expect(parseCurrentUser("we@ird@127.0.0.%")).toEqual({ user: "we@ird", host: "127.0.0.%" });
  });

  it("offers dual passwords on MySQL 8.0.14 and later only", () => {
    expect(describeServer("10.11.19-MariaDB-0+deb12u1")).toMatchObject({ mariadb: true, dualPassword: false });
    expect(describeServer("8.0.13").dualPassword).toBe(false);
    expect(describeServer("8.0.14").dualPassword).toBe(true);
    expect(describeServer("8.4.3").dualPassword).toBe(true);
    expect(describeServer("5.7.44-log").dualPassword).toBe(false);
    expect(stagingName("app_clone")).toMatch(/^kvguard~[0-9a-f]{16}$/);
  });

  it("speaks MySQL 8's forms there: ALTER USER, REPLACE for one's own account, RETAIN/DISCARD dual passwords", async () => {
    const sent: string[] = [];
    const driver = {
      escape: (v: string) => mysql.escape(v),
      query: ({ sql }: { sql: string }) => (sent.push(sql), Promise.resolve([[]])),
      execute: () => Promise.resolve([[{ host: "10.%" }]]),
    } as unknown as Connection;
    const conn = new MysqlConnection(driver, describeServer("8.0.36"), { user: "me", host: "%" }, { username: "me", password: "Cur'rent" }, 1000);
    await conn.setPassword("me", "N'ew");
    await conn.setPassword("app", "N'ew2");
    await conn.dualPassword!.retainCurrent("app", "N'ew3");
    await conn.dualPassword!.discardOld("app");
    expect(sent).toEqual([
      "ALTER USER CURRENT_USER() IDENTIFIED BY 'N\\'ew' REPLACE 'Cur\\'rent'",
      "ALTER USER 'app'@'10.%' IDENTIFIED BY 'N\\'ew2'",
      "ALTER USER 'app'@'10.%' IDENTIFIED BY 'N\\'ew3' RETAIN CURRENT PASSWORD",
      "ALTER USER 'app'@'10.%' DISCARD OLD PASSWORD",
    ]);
  });

  it("blanks passwords, raw and escaped, out of driver messages", () => {
    const pw = "it's\\x";
    const error = mysqlError(
      { errno: 1064, code: "ER_PARSE_ERROR", sqlMessage: `syntax error near 'it\\'s\\\\x' and it's\\x`, sql: `SET PASSWORD = '${pw}'` },
      "changing",
      [pw],
    );
    expect(error.message).not.toContain("it\\'s");
    expect(error.message).not.toContain(pw);
    expect(error.message).toContain("error 1064");
    expect(redact("a 'b''c' d", ["b'c"])).toBe("a '[redacted]' d");
  });
});

describeMariadb("mysql dialect on MariaDB", () => {
  const db = new MariadbScratch();
  const endpoint = mariadbEndpoint();
  beforeAll(async () => {
    await db.start();
  });
  afterAll(() => db.stop());

  const open = (username: string, password: string): Promise<SqlConnection> => mysqlDialect.connect(endpoint, { username, password });

  it("changes hostile users' own passwords: the new one logs in, the old one no longer does", async () => {
    for (const [i, suffix] of HOSTILE_NAMES.entries()) {
      const oldPassword = `Old-${i}-${HOSTILE_PASSWORDS[(i + 1) % HOSTILE_PASSWORDS.length]}`;
      const newPassword = HOSTILE_PASSWORDS[i]!;
      const user = await db.user(suffix, oldPassword);
      const conn = await open(user, oldPassword);
      expect(conn.dualPassword).toBeUndefined();
      expect(await conn.userExists(user)).toBe(true);
      await conn.setPassword(user, newPassword);
      await conn.close();
      expect(await db.canLogin(user, newPassword), user).toBe(true);
      expect(await db.canLogin(user, oldPassword), user).toBe(false);
    }
  });

  it("changes another user's password as a manager, on every host pattern of the name, `%` and `_` included", async () => {
    const user = await db.user("multi%host_", "Start-1'x", "127.0.0.%");
    await db.sql(`CREATE USER ${db.account(user, "127.0.0._")} IDENTIFIED BY 'Start-2'`);
    await db.sql(`CREATE USER ${db.account(user, "10.%")} IDENTIFIED BY 'Start-3'`);
    const conn = await open(ROOT.username, ROOT.password);
    await conn.setPassword(user, `New;'"\\pw`);
    await conn.close();
    // 127.0.0._ is the most specific match for 127.0.0.1; all three accounts got the password.
    expect(await db.canLogin(user, `New;'"\\pw`)).toBe(true);
    const hashes = await db.sql("SELECT Host AS host, authentication_string AS hash FROM mysql.user WHERE User = ?", [user]);
    expect(hashes).toHaveLength(3);
    expect(new Set(hashes.map((h) => String(h.hash))).size).toBe(1);
  });

  it("clones a user with the same grants, roles, default role, TLS requirement and host", async () => {
    const role = `${db.prefix}role'x`;
    await db.sql(`CREATE ROLE ${db.id(role)}`);
    await db.sql(`GRANT SELECT ON ${db.id(db.database)}.* TO ${db.id(role)}`);
    const cases = [
      ["tls'user", "127.0.0.%", "REQUIRE SSL"],
      ["x509\\user", "%", "REQUIRE SUBJECT '/CN=o''k;x' AND ISSUER '/C=FI/O=Test' AND CIPHER 'ECDHE-RSA-AES256-GCM-SHA384'"],
      ["plain;user", "%", ""],
    ] as const;
    for (const [suffix, host, require] of cases) {
      const user = await db.user(suffix, "Src-pw-1", host, require);
      await db.sql(`GRANT INSERT, UPDATE ON ${db.id(db.database)}.* TO ${db.account(user, host)} WITH GRANT OPTION`);
      await db.sql(`GRANT SELECT (secret_col) ON ${db.id(db.database)}.items TO ${db.account(user, host)}`);
      await db.sql(`GRANT ${db.id(role)} TO ${db.account(user, host)}`);
      await db.sql(`SET DEFAULT ROLE ${db.id(role)} FOR ${db.account(user, host)}`);
      const clone = `${user}_clone`;
      const conn = await open(ROOT.username, ROOT.password);
      await conn.cloneUser(user, clone, `Clone'pw;"1`);
      expect(await conn.userExists(clone)).toBe(true);
      await conn.close();
      const mine = (await db.grants(user, host)).map((g) => rewriteGrant(g, { user, host }, { user: clone, host }));
      // Password hashes aside (rewriteGrant drops them), the clone's grants are the source's.
      const theirs = (await db.grants(clone, host)).map((g) => rewriteGrant(g, { user: clone, host }, { user: clone, host }));
      expect(theirs.sort()).toEqual(mine.sort());
      expect(mine.some((g) => g.includes("SET DEFAULT ROLE") && g.includes("_clone"))).toBe(true);
      const hashes = await db.sql("SELECT authentication_string AS hash FROM mysql.user WHERE User IN (?, ?)", [user, clone]);
      expect(new Set(hashes.map((h) => String(h.hash))).size).toBe(2);
      const tls = await db.sql("SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject FROM mysql.user WHERE User = ? OR User = ? ORDER BY User", [
        user,
        clone,
      ]);
      const [mineTls, theirTls] = tls.map((r) =>
        JSON.stringify(Object.values(r as Record<string, unknown>).map((v) => (Buffer.isBuffer(v) ? v.toString() : v))),
      );
      expect(theirTls).toBe(mineTls);
      expect(String(tls[0]!.ssl_type)).toBe(require.startsWith("REQUIRE SSL") ? "ANY" : require ? "SPECIFIED" : "");
      if (!require) {
        expect(await db.canLogin(clone, `Clone'pw;"1`)).toBe(true);
        expect(await db.canLogin(user, "Src-pw-1")).toBe(true);
      }
    }
  });

  it("clones every host pattern of a name, renamed into place together", async () => {
    const user = await db.user("hosts", "Hosts-pw-1", "127.0.0._");
    await db.sql(`CREATE USER ${db.account(user, "10.0.%")} IDENTIFIED BY 'Hosts-pw-2'`);
    await db.sql(`GRANT SELECT ON ${db.id(db.database)}.* TO ${db.account(user, "10.0.%")}`);
    const conn = await open(ROOT.username, ROOT.password);
    await conn.cloneUser(user, `${user}_clone`, "Hosts-clone-1");
    await conn.close();
    const hosts = await db.sql("SELECT Host AS host FROM mysql.user WHERE User = ? ORDER BY Host", [`${user}_clone`]);
    expect(hosts.map((h) => String(h.host))).toEqual(["10.0.%", "127.0.0._"]);
    expect(await db.grants(`${user}_clone`, "10.0.%")).toContain(
      `GRANT SELECT ON ${db.id(db.database)}.* TO ${grantee({ user: `${user}_clone`, host: "10.0.%" })}`,
    );
    expect(await db.canLogin(`${user}_clone`, "Hosts-clone-1")).toBe(true);
  });

  it("reruns a clone after a crash: an existing clone or a staging account left behind", async () => {
    const user = await db.user("rerun", "Src-pw-2");
    await db.sql(`GRANT SELECT ON ${db.id(db.database)}.* TO ${db.account(user)}`);
    const clone = `${user}_clone`;
    // A crash inside the first attempt: the staging account exists, half built.
    await db.sql(`CREATE USER ${db.account(stagingName(clone))} IDENTIFIED BY 'half'`);
    const conn = await open(ROOT.username, ROOT.password);
    await conn.cloneUser(user, clone, "First-1");
    expect(await db.sql("SELECT 1 FROM mysql.user WHERE User = ?", [stagingName(clone)])).toHaveLength(0);
    // A crash after the rename: the clone exists; the rerun keeps it and sets the new password.
    await conn.cloneUser(user, clone, "Second-2");
    await conn.close();
    expect(await db.canLogin(clone, "Second-2")).toBe(true);
    expect(await db.canLogin(clone, "First-1")).toBe(false);
    expect(await db.grants(clone)).toContain(`GRANT SELECT ON ${db.id(db.database)}.* TO ${grantee({ user: clone, host: "%" })}`);
  });

  it("reports a user that does not exist", async () => {
    const conn = await open(ROOT.username, ROOT.password);
    const missing = `${db.prefix}nobody'`;
    expect(await conn.userExists(missing)).toBe(false);
    const error = await failure(conn.setPassword(missing, "Never-1'x"), ["Never-1'x"]);
    expect(error.failure).toBe("user-not-found");
    expect(error.message).toContain(missing);
    expect((await failure(conn.cloneUser(missing, `${missing}_clone`, "Never-2"), ["Never-2"])).failure).toBe("user-not-found");
    await conn.close();
  });

  it("names the missing privilege when the connected user may not change or clone another user", async () => {
    const weak = await db.user("weak", "Weak-pw-1");
    const target = await db.user("target", "Target-pw-1");
    await db.sql(`GRANT SELECT ON mysql.user TO ${db.account(weak)}`);
    const conn = await open(weak, "Weak-pw-1");
    const error = await failure(conn.setPassword(target, "Secret-New-1"), ["Secret-New-1", "Weak-pw-1"]);
    expect(error.failure).toBe("privilege");
    expect(error.message).toContain("CREATE USER");
    expect(error.message).toContain(weak);
    const clone = await failure(conn.cloneUser(target, `${target}_clone`, "Secret-New-2"), ["Secret-New-2", "Weak-pw-1"]);
    expect(clone.failure).toBe("privilege");
    expect(clone.message).toContain("CREATE USER");
    await conn.close();
    expect(await db.canLogin(target, "Target-pw-1")).toBe(true);
  });

  it("names the refused login, the unreachable server and a TLS refusal, never the password", async () => {
    const user = await db.user("auth", "Right-pw-1");
    const wrong = await failure(open(user, "Wrong-pw-'\\1"), ["Wrong-pw-'\\1", "Right-pw-1"]);
    expect(wrong.failure).toBe("authentication");
    expect(wrong.message).toContain(user);
    expect(wrong.transient).toBe(false);
    const down = await failure(mysqlDialect.connect(mariadbEndpoint({ port: 1, connectTimeoutMs: 2000 }), { username: user, password: "Right-pw-1" }), [
      "Right-pw-1",
    ]);
    expect(down.failure).toBe("unreachable");
    expect(down.transient).toBe(true);
    // This server has TLS switched off: asking for it is a clear refusal, not a silent plaintext login.
    const tls = await failure(
      mysqlDialect.connect(mariadbEndpoint({ tls: { enabled: true, rejectUnauthorized: true } }), { username: user, password: "Right-pw-1" }),
      ["Right-pw-1"],
    );
    expect(tls.failure).toBe("unreachable");
    expect(tls.message).toMatch(/ssl|secure/i);
  });
});
