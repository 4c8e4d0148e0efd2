/**
 * @module Crash safety of the `postgres` rotator's alternating strategy (JSON value, a managing user, a clone
 * per rotation) against a real PostgreSQL: a rotation stopped right after each engine step (an in-process
 * stand-in for a kill, with the pending credential persisted in Key Vault), then rerun by hand (`rotateNow`)
 * or by the sweep's resume job. Each time the database accepts exactly Key Vault's latest value, no pending
 * credential stays open, one new version was made, and no orphan clone exists. The built CLI SIGKILLed after
 * set (the clone made) is finished the same way by the next `kvguard rotate`. The single-user strategy is the
 * rotator contract's (contract.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotationService } from "../../src/rotation/service.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { localDatabases } from "../helpers/operator.js";
import { createRoleSql, queryAs, startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import {
  Capture,
  liveLogin,
  expectNoSecretValues,
  PENDING,
  kvguardSecrets,
  openPendings,
  rerunStopped,
  serviceFor,
  stopEachAfterItsStep,
  versionsOf,
} from "../helpers/rotation.js";

const STEPS = ["create", "set", "test", "finish"] as const;
const STRATEGIES = ["alternating"] as const;
const MANAGER = { username: "crash_admin", password: "crash-admin-Vb6n" };

interface Case {
  step: (typeof STEPS)[number];
  strategy: "single" | "alternating";
  rerun: "rotateNow" | "resume";
  secret: string;
  role: string;
  initial: string;
}

let stack: LocalStack;
let pgs: TestPostgres;
let service: RotationService;
const capture = new Capture();
/** The CLI cases: `kvguard rotate` SIGKILLed right after the step (KVGUARD_CRASH_AFTER_STEP). */
const killed: Case[] = [
  {
    step: "set",
    strategy: "alternating",
    rerun: "rotateNow",
    secret: "pgk-alternating-set",
    role: "killed_alternating_set",
    initial: "initial-killed-alt-Fz4t",
  },
];
const cases: Case[] = STRATEGIES.flatMap((strategy) =>
  STEPS.map((step, i) => ({
    step,
    strategy,
    rerun: i % 2 === 0 ? ("rotateNow" as const) : ("resume" as const),
    secret: `pgc-${strategy}-${step}`,
    role: `crash_${strategy}_${step}`,
    initial: `initial-${strategy}-${step}-Wm3q`,
  })),
);

function valueOf(c: Case): { value: string; tags: Record<string, string>; contentType?: string } {
  const base = { "kvguard-rotator": "postgres" };
  if (c.strategy === "single") {
    return { value: c.initial, tags: { ...base, CredentialId: c.role, ProviderAddress: `127.0.0.1:${pgs.port}` } };
  }
  return {
    value: JSON.stringify({ host: "127.0.0.1", port: pgs.port, username: c.role, password: c.initial }),
    tags: { ...base, "kvguard-options": "strategy=alternating;manager=crash-admin" },
    contentType: "application/json",
  };
}

beforeAll(async () => {
  [stack, pgs] = await Promise.all([
    startLocalStack({ policy: localDatabases(["postgres"], { managers: [{ secret: "crash-admin", for: ["*"] }] }) }),
    startTestPostgres(),
  ]);
  service = await serviceFor(stack, capture);
  await pgs.query(createRoleSql(MANAGER.username, MANAGER.password, "CREATEROLE"));
  await queryAs(
    pgs,
    MANAGER,
    [...cases, ...killed].map((c) => createRoleSql(c.role, c.initial)),
  );
  const secrets = kvguardSecrets(stack);
  await secrets.setSecret("crash-admin", MANAGER.password, { tags: { CredentialId: MANAGER.username } });
  for (const c of [...cases, ...killed]) {
    const { value, tags, contentType } = valueOf(c);
    await secrets.setSecret(c.secret, value, { tags, ...(contentType ? { contentType } : {}) });
    capture.values.add(value);
    capture.values.add(c.initial);
  }
});
afterAll(async () => {
  await pgs?.close();
  await stack?.stop();
});

describe("a postgres rotation stopped after each step, then rerun", () => {
  it("is stopped exactly after the step, its pending credential open in Key Vault", async () => {
    await stopEachAfterItsStep(stack, capture, cases);
  });

  it("is finished by the rerun: the database holds Key Vault's latest value, nothing open, no orphan clone", async () => {
    const secrets = kvguardSecrets(stack);
    for (const c of cases) {
      const outcome = await rerunStopped(service, c);
      expect(outcome, c.secret).toBe(c.step === "finish" ? "already-rotated" : "rotated");

      const login = await liveLogin(secrets, capture, c);
      expect(await pgs.canLogin(login.username, login.password), `${c.secret}: Key Vault's latest value logs in`).toBe(true);
      expect(await versionsOf(secrets, c.secret), c.secret).toHaveLength(2);
      const roles = await pgs.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1", [`${c.role}%`]);
      if (c.strategy === "single") {
        expect(login.username).toBe(c.role);
        expect(await pgs.canLogin(c.role, c.initial), `${c.secret}: the old password is gone`).toBe(false);
        expect(roles.map((r) => r.rolname)).toEqual([c.role]);
      } else {
        // Flipped to the clone; the original keeps its password through the grace period; one clone, no other.
        expect(login.username).toBe(`${c.role}_clone`);
        expect(await pgs.canLogin(c.role, c.initial), `${c.secret}: the previous user still works`).toBe(true);
        expect(roles.map((r) => r.rolname)).toEqual([c.role, `${c.role}_clone`]);
      }
    }
    expect(await openPendings(secrets)).toEqual([]);
  });

  it("history reads as one rotation per secret, and no value leaked", async () => {
    for (const c of cases) {
      const rows = await service.history.list({ vault: "local", name: c.secret });
      const ids = new Set(rows.filter((r) => r.outcome !== "skipped").map((r) => r.rotationId));
      expect([...ids], c.secret).toHaveLength(1);
      const created = rows.find((r) => r.step === "create");
      expect(rows.find((r) => r.step === "finish" && r.valueHmac)?.valueHmac, c.secret).toBe(created?.valueHmac);
    }
    await expectNoSecretValues(stack, capture, service);
  });
});

describe("`kvguard rotate` SIGKILLed mid-rotation (the built CLI)", () => {
  it("is finished by the next `kvguard rotate`: the database holds Key Vault's latest value, no orphan clone", async () => {
    const secrets = kvguardSecrets(stack);
    await Promise.all(
      killed.map(async (c) => {
        const run = await capture.cli(stack, ["rotate", `local/${c.secret}`], { KVGUARD_CRASH_AFTER_STEP: c.step });
        expect(run.code, `${c.secret}: ${run.stderr}`).toBeNull();
        const pending = await secrets.getSecret(`${c.secret}${PENDING}`);
        capture.values.add(pending.value!);
        expect(pending.properties.tags?.["kvguard-state"]).toBe("open");
      }),
    );
    const reruns = await Promise.all(killed.map((c) => capture.cli(stack, ["rotate", `local/${c.secret}`, "--json"])));
    for (const [i, c] of killed.entries()) {
      expect(reruns[i]!.code, reruns[i]!.stderr).toBe(0);
      expect(JSON.parse(reruns[i]!.stdout.trim().split("\n").at(-1)!)).toMatchObject({ outcome: "rotated" });
      const login = await liveLogin(secrets, capture, c);
      expect(await pgs.canLogin(login.username, login.password), c.secret).toBe(true);
      expect(await versionsOf(secrets, c.secret)).toHaveLength(2);
      const roles = await pgs.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1", [`${c.role}%`]);
      expect(roles.map((r) => r.rolname)).toEqual(c.strategy === "single" ? [c.role] : [c.role, `${c.role}_clone`]);
    }
    expect(await openPendings(secrets)).toEqual([]);
    await expectNoSecretValues(stack, capture, service);
  });
});
