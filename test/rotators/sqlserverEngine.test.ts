/**
 * The sqlserver rotator driven by the rotation engine against the local Key Vault, with the fake SQL Server
 * (test/helpers/fakeSqlServer.ts) behind the dialect, registered in-process as `sqlserver-fake` (the
 * registry's `sqlserver` talks to a real server). A rotation is stopped right after each engine step and
 * rerun, for a server login (single, own connection, hostile name) and a contained user (alternating,
 * managing user): each time the fake holds exactly Key Vault's latest value, nothing stays open, no
 * staging principal is left, and no value reaches history, status or logs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotationService } from "../../src/rotation/service.js";
import { registerRotator } from "../../src/rotators/registry.js";
import { createSqlRotator } from "../../src/rotators/sql/rotator.js";
import { createSqlServerDialect, stagingName } from "../../src/rotators/sqlserver/dialect.js";
import { FakeSqlServer } from "../helpers/fakeSqlServer.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, serviceFor, stoppingService, versionsOf } from "../helpers/rotation.js";

const STEPS = ["create", "set", "test", "finish"] as const;
const fake = new FakeSqlServer();
registerRotator(createSqlRotator(createSqlServerDialect(fake.connect), "sqlserver-fake"));

interface Case {
  step: (typeof STEPS)[number];
  strategy: "single" | "alternating";
  secret: string;
  user: string;
  initial: string;
}

const cases: Case[] = (["single", "alternating"] as const).flatMap((strategy) =>
  STEPS.map((step) => ({
    step,
    strategy,
    secret: `ss-${strategy}-${step}`,
    user: strategy === "single" ? `app]'${step}; --` : `tenant_${step}`,
    initial: `Initial'-${step}-Pw9`,
  })),
);

let stack: LocalStack;
let service: RotationService;
const capture = new Capture();

beforeAll(async () => {
  // The operator binds the fake server's host and lets its TLS go unverified (the fake has no certificate).
  stack = await startLocalStack({
    policy: {
      bindings: { "sqlserver-fake": [{ hosts: ["sql.example.test"], tls: "require" }] },
      managers: [{ secret: "ss-admin", host: "sql.example.test:*", for: ["*"] }],
    },
  });
  service = await serviceFor(stack, capture);
  fake.database("app", 0);
  fake.database("tenant", 1);
  fake.addUser("tenant", "tenant-admin", { password: "Tenant-Admin-1!", roles: ["db_owner"] });
  const secrets = kvguardSecrets(stack);
  await secrets.setSecret("ss-admin", JSON.stringify({ username: "tenant-admin", password: "Tenant-Admin-1!" }), { contentType: "application/json" });
  for (const c of cases) {
    if (c.strategy === "single") {
      fake.addLogin(c.user, c.initial);
      fake.addUser("app", c.user, { login: c.user, roles: ["db_datareader"] });
      await secrets.setSecret(c.secret, c.initial, {
        tags: { "kvguard-rotator": "sqlserver-fake", CredentialId: c.user, ProviderAddress: "sql.example.test", "kvguard-options": "database=app;tls=require" },
      });
    } else {
      fake.addUser("tenant", c.user, { password: c.initial, roles: ["db_datawriter"] });
      const value = JSON.stringify({ host: "sql.example.test", database: "tenant", username: c.user, password: c.initial, tls: { enabled: true } });
      await secrets.setSecret(c.secret, value, {
        contentType: "application/json",
        tags: { "kvguard-rotator": "sqlserver-fake", "kvguard-options": "strategy=alternating;manager=ss-admin" },
      });
      capture.values.add(value);
    }
    capture.values.add(c.initial);
  }
});
afterAll(() => stack?.stop(), 60_000);

describe("a sqlserver rotation stopped after each step, then rerun", () => {
  it("is finished by the rerun: the fake holds Key Vault's latest value, nothing open, no staging principal", async () => {
    const stopping = await stoppingService(stack, capture, cases);
    const secrets = kvguardSecrets(stack);
    for (const c of cases) {
      await expect(stopping.rotateNow("local", c.secret)).rejects.toThrow(`stopped after ${c.step}`);
      capture.values.add((await secrets.getSecret(`${c.secret}--kvguard-pending`)).value!);
      expect((await service.rotateNow("local", c.secret)).outcome, c.secret).toBe(c.step === "finish" ? "already-rotated" : "rotated");
      const live = await secrets.getSecret(c.secret);
      capture.values.add(live.value!);
      expect(await versionsOf(secrets, c.secret)).toHaveLength(2);
      if (c.strategy === "single") {
        expect(fake.logins.get(c.user)!.password, c.secret).toBe(live.value);
        expect(await fake.canLogin(c.user, c.initial, "app")).toBe(false);
      } else {
        const login = JSON.parse(live.value!) as { username: string; password: string };
        capture.values.add(login.password);
        expect(login.username).toBe(`${c.user}_clone`);
        const db = fake.databases.get("tenant")!;
        expect(db.users.get(login.username)?.password, c.secret).toBe(login.password);
        expect(db.roles.get("db_datawriter")!.has(login.username)).toBe(true);
        expect(db.users.has(stagingName(login.username))).toBe(false);
        expect(await fake.canLogin(c.user, c.initial, "tenant"), "the previous user works through the grace period").toBe(true);
      }
    }
    expect(await openPendings(secrets)).toEqual([]);
    // Every batch the engine's runs sent was fixed text with its values as parameters.
    for (const { batch, params } of fake.batches) for (const value of Object.values(params)) if (value.length > 3) expect(batch.includes(value)).toBe(false);
  });

  it("leaks no value into history, status or logs", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
