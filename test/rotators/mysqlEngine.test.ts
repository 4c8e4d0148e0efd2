/**
 * The `mysql` rotator driven by the rotation engine against the machine's MariaDB and the local Key Vault.
 * A rotation is stopped right after each engine step (create, set, test, finish: the engine tests'
 * in-process stand-in for a kill, with the pending credential persisted in Key Vault), then rerun by hand
 * (`rotateNow`) or by the sweep's resume job, for the single strategy (bare password, the user's own
 * connection, a hostile user name) and the alternating strategy (JSON value, managing user); and the built
 * CLI is SIGKILLed after set and after test of an alternating rotation (KVGUARD_CRASH_AFTER_STEP), then
 * rerun. Each time the database accepts exactly Key Vault's latest value, nothing stays open, one new
 * version was made, no orphan clone or staging account is left. Then the refusals through the engine: a
 * wrong managing credential and the dual-password strategy on MariaDB, with no value in any output.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RotationService } from "../../src/rotation/service.js";
import { stagingName } from "../../src/rotators/mysql/dialect.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { localDatabases } from "../helpers/operator.js";
import { describeMariadb, MARIADB, MariadbScratch } from "../helpers/mariadb.js";
import {
  Capture,
  liveLogin,
  expectNoSecretValues,
  kvguardSecrets,
  openPendings,
  rerunStopped,
  serviceFor,
  stopEachAfterItsStep,
  versionsOf,
} from "../helpers/rotation.js";

const STEPS = ["create", "set", "test", "finish"] as const;
const STRATEGIES = ["single", "alternating"] as const;

interface Case {
  step: (typeof STEPS)[number];
  strategy: (typeof STRATEGIES)[number];
  rerun: "rotateNow" | "resume";
  secret: string;
  user: string;
  initial: string;
}

describeMariadb("the mysql rotator through the engine on MariaDB", () => {
  const db = new MariadbScratch();
  let stack: LocalStack;
  let service: RotationService;
  const capture = new Capture();
  const manager = { user: "", password: "Manager-pw-1'x" };
  const cases: Case[] = STRATEGIES.flatMap((strategy) =>
    STEPS.map((step, i) => ({
      step,
      strategy,
      rerun: i % 2 === 0 ? ("rotateNow" as const) : ("resume" as const),
      secret: `my-${strategy}-${step}`,
      user: "",
      initial: `Initial'-${strategy}-${step};\\Wm3q`,
    })),
  );

  function valueOf(c: Case): { value: string; tags: Record<string, string>; contentType?: string } {
    const base = { "kvguard-rotator": "mysql" };
    if (c.strategy === "single") return { value: c.initial, tags: { ...base, CredentialId: c.user, ProviderAddress: `${MARIADB.host}:${MARIADB.port}` } };
    return {
      value: JSON.stringify({ host: MARIADB.host, port: MARIADB.port, database: db.database, username: c.user, password: c.initial }),
      tags: { ...base, "kvguard-options": "strategy=alternating;manager=my-admin" },
      contentType: "application/json",
    };
  }

  /** The error a refused rotation throws, captured for the leak scan. */
  async function refused(run: Promise<unknown>): Promise<Error> {
    const error = await run.then(
      () => new Error("the rotation succeeded"),
      (e: unknown) => e as Error,
    );
    capture.error("refused rotation", error);
    expect(error.message).not.toBe("the rotation succeeded");
    return error;
  }

  beforeAll(async () => {
    const managers = [
      { secret: "my-admin", for: ["*"] },
      { secret: "my-admin-wrong", for: ["*"] },
    ];
    [stack] = await Promise.all([startLocalStack({ policy: localDatabases(["mysql"], { managers }) }), db.start()]);
    service = await serviceFor(stack, capture);
    manager.user = await db.user("admin", manager.password);
    await db.sql(`GRANT CREATE USER, SELECT ON *.* TO ${db.account(manager.user)} WITH GRANT OPTION`);
    await db.sql(`GRANT ALL ON ${db.id(db.database)}.* TO ${db.account(manager.user)} WITH GRANT OPTION`);
    const secrets = kvguardSecrets(stack);
    await secrets.setSecret("my-admin", manager.password, { tags: { CredentialId: manager.user } });
    await secrets.setSecret("my-admin-wrong", "Not-the-pw-1", { tags: { CredentialId: manager.user } });
    for (const c of cases) {
      // Single-user names are hostile; the alternating ones get grants their clones must carry.
      c.user = await db.user(c.strategy === "single" ? `o'k;"\\${c.step}` : `alt_${c.step}`, c.initial);
      if (c.strategy === "alternating") await db.sql(`GRANT SELECT, INSERT ON ${db.id(db.database)}.* TO ${db.account(c.user)}`);
      const { value, tags, contentType } = valueOf(c);
      await secrets.setSecret(c.secret, value, { tags, ...(contentType ? { contentType } : {}) });
      capture.values.add(value);
      capture.values.add(c.initial);
    }
  });
  afterAll(async () => {
    await db.stop();
    await stack?.stop();
  });

  it("is stopped exactly after each step, its pending credential open in Key Vault", async () => {
    await stopEachAfterItsStep(stack, capture, cases);
  });

  it("is finished by the rerun: MariaDB takes Key Vault's latest value, nothing open, no orphan clone", async () => {
    const secrets = kvguardSecrets(stack);
    for (const c of cases) {
      const outcome = await rerunStopped(service, c);
      expect(outcome, c.secret).toBe(c.step === "finish" ? "already-rotated" : "rotated");
      const login = await liveLogin(secrets, capture, c);
      expect(await db.canLogin(login.username, login.password), `${c.secret}: Key Vault's latest value logs in`).toBe(true);
      expect(await versionsOf(secrets, c.secret), c.secret).toHaveLength(2);
      const users = await db.sql("SELECT User AS user FROM mysql.user WHERE User IN (?, ?, ?) ORDER BY User", [
        c.user,
        `${c.user}_clone`,
        stagingName(`${c.user}_clone`),
      ]);
      if (c.strategy === "single") {
        expect(login.username).toBe(c.user);
        expect(await db.canLogin(c.user, c.initial), `${c.secret}: the old password is gone`).toBe(false);
        expect(users.map((u) => String(u.user))).toEqual([c.user]);
      } else {
        expect(login.username).toBe(`${c.user}_clone`);
        expect(await db.canLogin(c.user, c.initial), `${c.secret}: the previous user works through the grace period`).toBe(true);
        expect(users.map((u) => String(u.user))).toEqual([c.user, `${c.user}_clone`]);
        expect((await db.grants(`${c.user}_clone`)).join("\n")).toContain("GRANT SELECT, INSERT ON");
      }
    }
    expect(await openPendings(secrets)).toEqual([]);
  });

  // Real kills cost a CLI start each: the two steps where MariaDB has changed and Key Vault not yet.
  it("killed (SIGKILL, the built CLI) after set and after test of an alternating rotation, is finished by the next `kvguard rotate`", async () => {
    const secrets = kvguardSecrets(stack);
    const killed = await Promise.all(
      (["set", "test"] as const).map(async (step) => {
        const c: Case = { step, strategy: "alternating", rerun: "rotateNow", secret: `my-kill-${step}`, user: "", initial: `Kill'-${step};\\Wm3q` };
        c.user = await db.user(`kill_${step}`, c.initial);
        await db.sql(`GRANT SELECT ON ${db.id(db.database)}.* TO ${db.account(c.user)}`);
        const { value, tags, contentType } = valueOf(c);
        await secrets.setSecret(c.secret, value, { tags, ...(contentType ? { contentType } : {}) });
        capture.values.add(value);
        capture.values.add(c.initial);
        const run = await capture.cli(stack, ["rotate", `local/${c.secret}`], { KVGUARD_CRASH_AFTER_STEP: step });
        expect(run.code, `${c.secret}: ${run.stderr}`).toBeNull();
        capture.values.add((await secrets.getSecret(`${c.secret}--kvguard-pending`)).value!);
        return c;
      }),
    );
    const reruns = await Promise.all(killed.map((c) => capture.cli(stack, ["rotate", `local/${c.secret}`, "--json"])));
    for (const [i, c] of killed.entries()) {
      expect(reruns[i]!.code, reruns[i]!.stderr).toBe(0);
      const login = await liveLogin(secrets, capture, c);
      expect(login.username).toBe(`${c.user}_clone`);
      expect(await db.canLogin(login.username, login.password), `${c.secret}: Key Vault's latest value logs in`).toBe(true);
      expect(await db.canLogin(c.user, c.initial), `${c.secret}: the previous user works through the grace period`).toBe(true);
      expect(await versionsOf(secrets, c.secret)).toHaveLength(2);
      expect(await db.sql("SELECT 1 FROM mysql.user WHERE User = ?", [stagingName(`${c.user}_clone`)])).toHaveLength(0);
    }
    expect(await openPendings(secrets)).toEqual([]);
  });

  it("reports a database gone mid-rotation and retries; the old password stays valid until the rerun applies the pending one", async () => {
    const user = await db.user("down", "Down-valid-1");
    const secrets = kvguardSecrets(stack);
    const tags = { "kvguard-rotator": "mysql", CredentialId: user, ProviderAddress: `${MARIADB.host}:${MARIADB.port}` };
    const initial = await secrets.setSecret("my-down", "Down-valid-1", { tags });
    const stopping = await serviceFor(stack, capture, {
      afterStep: (step, job) => {
        if (job.name === "my-down" && step === "create") throw new Error("stopped after create");
      },
    });
    await expect(stopping.rotateNow("local", "my-down")).rejects.toThrow("stopped after create");
    const pending = (await secrets.getSecret("my-down--kvguard-pending")).value!;
    capture.values.add(pending);
    // The server "goes away": the secret now points at a port where nothing listens.
    await secrets.updateSecretProperties("my-down", initial.properties.version!, { tags: { ...tags, ProviderAddress: `${MARIADB.host}:1` } });
    const down = await refused(service.rotateNow("local", "my-down"));
    expect(down.message).toMatch(/127\.0\.0\.1:1/);
    expect(await db.canLogin(user, "Down-valid-1")).toBe(true);
    const status = await service.status.get("local", "my-down", "secret");
    expect(status?.lastError).toMatch(/127\.0\.0\.1:1/);
    await secrets.updateSecretProperties("my-down", initial.properties.version!, { tags });
    expect((await service.rotateNow("local", "my-down")).outcome).toBe("rotated");
    expect((await secrets.getSecret("my-down")).value).toBe(pending);
    expect(await db.canLogin(user, pending)).toBe(true);
    expect(await db.canLogin(user, "Down-valid-1")).toBe(false);
  });

  it("fails clearly, naming the credential, with a wrong managing credential; the old password keeps working", async () => {
    const user = await db.user("wrongmgr", "Still-valid-1");
    const secrets = kvguardSecrets(stack);
    await secrets.setSecret("my-wrong-manager", JSON.stringify({ host: MARIADB.host, port: MARIADB.port, username: user, password: "Still-valid-1" }), {
      contentType: "application/json",
      tags: { "kvguard-rotator": "mysql", "kvguard-options": "strategy=alternating;manager=my-admin-wrong" },
    });
    const error = await refused(service.rotateNow("local", "my-wrong-manager"));
    expect(error.message).toContain("managing credential (secret my-admin-wrong");
    expect(error.message).toContain(manager.user);
    expect(error.message).toContain("Access denied");
    const history = await service.history.list({ vault: "local", name: "my-wrong-manager" });
    expect(history.some((r) => r.outcome === "failed" && r.message?.includes("my-admin-wrong"))).toBe(true);
    expect(await db.canLogin(user, "Still-valid-1")).toBe(true);
  });

  it("refuses the dual-password strategy on MariaDB, saying why", async () => {
    const user = await db.user("dual", "Dual-valid-1");
    await kvguardSecrets(stack).setSecret("my-dual", "Dual-valid-1", {
      tags: { "kvguard-rotator": "mysql", CredentialId: user, ProviderAddress: `${MARIADB.host}:${MARIADB.port}`, "kvguard-options": "strategy=dual-password" },
    });
    const error = await refused(service.rotateNow("local", "my-dual"));
    expect(error.message).toMatch(/no dual passwords \(MySQL 8\.0\.14 or later\)/);
    expect(await db.canLogin(user, "Dual-valid-1")).toBe(true);
  });

  it("leaks no value into history, status, logs or results", async () => {
    capture.values.add(manager.password);
    await expectNoSecretValues(stack, capture, service);
  });
});
