/**
 * @module `kvguard rotate VAULT/NAME --check` through the built CLI on a local stack and the machine's
 * MariaDB: the test-only rotation proves the current credential, the target and the managing credential,
 * names which failed (a wrong managing password, an unreachable server, an invalid policy), and changes
 * nothing: the same secret versions, no pending companion, the same password hash in MariaDB, no history
 * or status row, and no value in any output.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { CheckReport } from "../../src/plan/check.js";
import type { RotationService } from "../../src/rotation/service.js";
import { localDatabases } from "../helpers/operator.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { describeMariadb, MARIADB, MariadbScratch } from "../helpers/mariadb.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, serviceFor, versionsOf } from "../helpers/rotation.js";

describeMariadb("kvguard rotate --check", () => {
  const db = new MariadbScratch();
  let stack: LocalStack;
  let service: RotationService;
  const capture = new Capture();
  const managerPassword = "Manager-pw-1'x";
  const appPassword = "App-initial-7;Qz";
  let appUser = "";

  beforeAll(async () => {
    [stack] = await Promise.all([
      startLocalStack({
        policy: localDatabases(["mysql"], { managers: ["db-admin", "db-admin-wrong", "db-admin-weak"].map((secret) => ({ secret, for: ["db-app*"] })) }),
      }),
      db.start(),
    ]);
    service = await serviceFor(stack, capture);
    const manager = await db.user("admin", managerPassword);
    await db.sql(`GRANT CREATE USER, SELECT ON *.* TO ${db.account(manager)} WITH GRANT OPTION`);
    await db.sql(`GRANT UPDATE ON mysql.* TO ${db.account(manager)}`);
    const weak = await db.user("weak", managerPassword);
    await db.sql(`GRANT CREATE USER ON *.* TO ${db.account(weak)}`);
    appUser = await db.user("app", appPassword);
    const secrets = kvguardSecrets(stack);
    await secrets.setSecret("db-admin", managerPassword, { tags: { CredentialId: manager } });
    await secrets.setSecret("db-admin-wrong", "Not-the-pw-1", { tags: { CredentialId: manager } });
    await secrets.setSecret("db-admin-weak", managerPassword, { tags: { CredentialId: weak } });
    const tags = (options: string, address = `${MARIADB.host}:${MARIADB.port}`) => ({
      tags: { "kvguard-rotator": "mysql", CredentialId: appUser, ProviderAddress: address, "kvguard-options": options },
    });
    await secrets.setSecret("db-app", appPassword, tags("manager=db-admin"));
    await secrets.setSecret("db-app-bad-manager", appPassword, tags("manager=db-admin-wrong"));
    await secrets.setSecret("db-app-weak-manager", appPassword, tags("manager=db-admin-weak"));
    await secrets.setSecret("db-app-down", appPassword, tags("connectTimeout=2", "127.0.0.1:1"));
    await secrets.setSecret("db-app-invalid", appPassword, tags("strategy=sideways"));
    await secrets.setSecret("db-app-unbound", appPassword, tags("manager=db-admin", `127.0.0.2:${MARIADB.port}`));
    for (const v of [managerPassword, appPassword]) capture.values.add(v);
  });
  afterAll(async () => {
    await db.stop();
    await stack?.stop();
  });

  async function check(name: string): Promise<{ code: number | null; report: CheckReport }> {
    const result = await capture.cli(stack, ["rotate", `local/${name}`, "--check", "--json"]);
    expect(result.stderr).toBe("");
    return { code: result.code, report: JSON.parse(result.stdout) as CheckReport };
  }

  const passwordHash = async (user: string) => String((await db.sql("SELECT authentication_string AS h FROM mysql.user WHERE User = ?", [user]))[0]!.h);

  it("passes for a working rotation and changes nothing", async () => {
    const secrets = kvguardSecrets(stack);
    const before = {
      versions: await versionsOf(secrets, "db-app"),
      hash: await passwordHash(appUser),
      history: await service.history.list(),
      status: await service.status.list(),
    };
    const { code, report } = await check("db-app");
    expect(report.steps.map((s) => [s.check, s.ok])).toEqual([
      ["policy", true],
      ["bindings", true],
      ["current credential", true],
      ["managing credential", true],
    ]);
    expect(report.steps[3]!.detail).toContain(`the managing credential (secret db-admin) logs in at ${MARIADB.host}:${MARIADB.port} and finds user ${appUser}`);
    expect(code).toBe(0);
    expect((await versionsOf(secrets, "db-app")).map((v) => [v.version, v.enabled, v.updatedOn?.getTime()])).toEqual(
      before.versions.map((v) => [v.version, v.enabled, v.updatedOn?.getTime()]),
    );
    expect(await openPendings(secrets)).toEqual([]);
    await expect(secrets.getSecret("db-app--kvguard-pending")).rejects.toMatchObject({ statusCode: 404 });
    expect(await passwordHash(appUser)).toBe(before.hash);
    expect(await db.canLogin(appUser, appPassword)).toBe(true);
    expect(await service.history.list()).toEqual(before.history);
    expect(await service.status.list()).toEqual(before.status);
  });

  it("names what would fail: the managing credential, the target, the policy", async () => {
    const manager = await check("db-app-bad-manager");
    expect(manager.code).toBe(1);
    expect(manager.report.steps.find((s) => s.check === "current credential")!.ok).toBe(true);
    expect(manager.report.steps.find((s) => s.check === "managing credential")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("the managing credential (secret db-admin-wrong") as string,
    });

    // Logging in is not enough: the privileges set needs are tried with a read.
    const weak = await check("db-app-weak-manager");
    expect(weak.report.steps.find((s) => s.check === "managing credential")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("needs SELECT on mysql.user") as string,
    });

    const down = await check("db-app-down");
    expect(down.code).toBe(1);
    expect(down.report.steps.find((s) => s.check === "current credential")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("ECONNREFUSED") as string,
    });

    // A check reaches nothing a rotation could not: a host the operator did not bind is refused before any connection.
    const unbound = await check("db-app-unbound");
    expect(unbound.code).toBe(1);
    expect(unbound.report.steps.map((s) => s.check)).toEqual(["policy", "bindings"]);
    expect(unbound.report.steps[1]).toMatchObject({ ok: false, detail: expect.stringContaining("bindings.mysql[].hosts") as string });

    const invalid = await check("db-app-invalid");
    expect(invalid.report.steps).toEqual([{ check: "policy", ok: false, detail: expect.stringContaining('strategy "sideways"') as string }]);
    // Failed checks record nothing either: a check is not a failed rotation.
    expect(await service.history.list()).toEqual([]);
  });

  it("the table says nothing was changed; no value in any output", async () => {
    const result = await capture.cli(stack, ["rotate", "local/db-app", "--check"]);
    expect(result.stdout).toContain("local/db-app: check passed; nothing was changed");
    expect(result.stdout).toMatch(/ {2}ok {5}managing credential: /);
    await service.rotateNow("local", "db-app");
    await expectNoSecretValues(stack, capture, service);
  });
});
