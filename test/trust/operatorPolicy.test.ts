/**
 * @module The operator's policy file as the trust boundary reads it: bindings checked target by target (loopback
 * not special, scopes on segment boundaries, a managing credential only for the secrets it names and at its own
 * server), globs matched without backtracking, locked fields, and a file that breaks keeping the last good one
 * in a running service (while a fresh process gives every object the file's error).
 */
import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkTargets, TrustRefusal, type Bindings, type ManagerEntry, type Target } from "../../src/rotation/bindings.js";
import { globMatch } from "../../src/rotation/glob.js";
import { resolvePolicy } from "../../src/rotation/policy.js";
import { createRotators } from "../../src/rotators/registry.js";
import { matchEntry, parsePolicyFile } from "../../src/rotation/policyFile.js";
import type { RotationService } from "../../src/rotation/service.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, kvguardSecrets, serviceFor } from "../helpers/rotation.js";

function refusal(targets: Target[], bindings: Bindings, managers: ManagerEntry[] = [], rotator = "postgres"): string | undefined {
  try {
    checkTargets(targets, { rotator, vault: "prod", secretName: "app-db", bindings, managers });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(TrustRefusal);
    return (error as Error).message;
  }
}

describe("operator bindings", () => {
  const db = (host: string, port = 5432, tls: "disable" | "require" | "verify" = "verify"): Target => ({ kind: "host", host, port, tls });

  it("loopback is bound like any host; globs name hosts or host:port", () => {
    expect(refusal([db("127.0.0.1")], {})).toMatch(/would connect to 127\.0\.0\.1:5432, which no operator binding allows.*bindings\.postgres\[\]\.hosts/);
    expect(refusal([db("127.0.0.1")], { postgres: [{ hosts: ["127.0.0.1:5432"] }] })).toBeUndefined();
    expect(refusal([db("127.0.0.1", 5433)], { postgres: [{ hosts: ["127.0.0.1:5432"] }] })).toMatch(/127\.0\.0\.1:5433/);
    expect(refusal([db("orders.postgres.database.azure.com")], { postgres: [{ hosts: ["*.postgres.database.azure.com"] }] })).toBeUndefined();
    expect(refusal([db("orders.postgres.database.azure.com")], { mysql: [{ hosts: ["*"] }] })).toMatch(/bindings\.postgres/);
    expect(refusal([db("10.0.0.5", 5432, "require")], { postgres: [{ hosts: ["10.0.0.*"] }] })).toMatch(
      /TLS mode require at 10\.0\.0\.5:5432 is weaker than the operator allows there \(verify\)/,
    );
    expect(refusal([db("10.0.0.5", 5432, "require")], { postgres: [{ hosts: ["10.0.0.*"], tls: "require" }] })).toBeUndefined();
  });

  it("storage accounts are bound by id or by a subscription or resource group containing them, on segment boundaries", () => {
    const id = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct";
    const account = (blobEndpoint?: string): Target => ({ kind: "storage-account", id, ...(blobEndpoint ? { blobEndpoint } : {}) });
    const rotator = "storage-account";
    expect(refusal([account()], { [rotator]: [{ accounts: ["/subscriptions/S1"] }] }, [], rotator)).toBeUndefined();
    expect(refusal([account()], { [rotator]: [{ accounts: ["/subscriptions/s1/resourceGroups/rg"] }] }, [], rotator)).toBeUndefined();
    expect(refusal([account()], { [rotator]: [{ accounts: ["/subscriptions/s1/resourceGroups/r"] }] }, [], rotator)).toMatch(
      /bindings\.storage-account\[\]\.accounts/,
    );
    expect(refusal([account("https://evil.example")], { [rotator]: [{ accounts: [id] }] }, [], rotator)).toMatch(
      /blobEndpoint option https:\/\/evil\.example .*blobEndpoints/,
    );
    expect(
      refusal(
        [account("https://acct.blob.core.windows.net")],
        { [rotator]: [{ accounts: [id], blobEndpoints: ["https://*.blob.core.windows.net"] }] },
        [],
        rotator,
      ),
    ).toBeUndefined();
  });

  it("a managing credential serves only the secrets it names, only at its own server", () => {
    const bindings = { postgres: [{ hosts: ["db1:5432", "db2:5432"] }] };
    const manager = (host: string, taggedFor: string[] = [], ownHost?: { host: string; port?: number }): Target => ({
      kind: "manager",
      secret: "pg-admin",
      host,
      port: 5432,
      taggedFor,
      ...(ownHost ? { ownHost } : {}),
    });
    const entry: ManagerEntry = { secret: "pg-admin", vault: "prod", host: "db1:5432", for: ["app-*"] };
    expect(refusal([db("db1"), manager("db1")], bindings)).toMatch(
      /pg-admin does not name secret app-db.*kvguard-manager-for tag on pg-admin, or managers\[\]\.for/,
    );
    expect(refusal([db("db1"), manager("db1")], bindings, [entry])).toBeUndefined();
    expect(refusal([db("db2"), manager("db2")], bindings, [entry])).toMatch(/would be used at db2:5432, which is not its own server.*managers\[\]\.host/);
    expect(refusal([db("db1"), manager("db1")], bindings, [{ ...entry, vault: "dev" }])).toMatch(/does not name secret/);
    // Opted in by its own tag, at the host its JSON value names; a bare-password manager has no host but the policy's.
    expect(refusal([db("db2"), manager("db2", ["app-*"], { host: "DB2" })], bindings)).toBeUndefined();
    expect(refusal([db("db2"), manager("db2", ["app-*"])], bindings)).toMatch(/not its own server/);
  });

  it("Entra applications are bound by appId or object id", () => {
    const app: Target = { kind: "entra-app", application: "6B1D1F3E-5C8A-4B2E-9F0D-000000000D30" };
    expect(refusal([app], {}, [], "entra-app-secret")).toMatch(/bindings\.entra-app-secret\[\]\.applications/);
    expect(refusal([app], { "entra-app-secret": [{ applications: ["6b1d1f3e-5c8a-4b2e-9f0d-000000000d30"] }] }, [], "entra-app-secret")).toBeUndefined();
  });
});

describe("policy-file globs", () => {
  it("match as before: * anywhere, case-insensitive, whole name", () => {
    const cases: [string, string, boolean][] = [
      ["*", "", true],
      ["db-*", "DB-main", true],
      ["db-*", "xdb-main", false],
      ["*-prod", "app-prod", true],
      ["a*b*c", "abc", true],
      ["a*b*c", "aXbYcZ", false],
      ["a*a", "a", false],
      ["*ab*ab*", "abab", true],
      ["prod.*", "prodX1", false],
    ];
    for (const [pattern, name, expected] of cases) expect(globMatch(pattern, name), `${pattern} ~ ${name}`).toBe(expected);
  });

  it("a 13-star pattern against a 40-character name answers (no backtracking blowup)", () => {
    const file = parsePolicyFile(JSON.stringify({ secrets: [{ match: { name: `${"*a".repeat(13)}*b` }, rotator: "random" }] }), "p.json");
    expect(matchEntry(file.secrets, "v", "a".repeat(40))).toBeUndefined();
    expect(matchEntry(file.secrets, "v", `${"a".repeat(40)}b`)?.rotator).toBe("random");
  });
});

describe("locked fields", () => {
  it("a tag that would change a locked field is an error naming the lock; equal tags and unlocked ones pass", () => {
    const entry = parsePolicyFile(
      JSON.stringify({
        secrets: [{ match: {}, rotator: "random", rotateEvery: "P30D", options: { length: 40 }, lock: ["rotator", "rotateEvery", "options.length"] }],
      }),
      "p.json",
    ).secrets[0];
    const problems = (tags: Record<string, string>) => {
      const r = resolvePolicy(createRotators(), tags, entry);
      return r.kind === "invalid" ? r.problems : [];
    };
    expect(problems({ "kvguard-rotator": "postgres" })).toEqual([
      "kvguard-rotator: locked by the policy file (lock: rotator); remove the tag or change the policy file",
    ]);
    expect(problems({ "kvguard-rotate-every": "P2D" })[0]).toMatch(/^kvguard-rotate-every: locked by the policy file/);
    expect(problems({ "kvguard-options": "length=12" })).toEqual(["kvguard-options: option length is locked by the policy file (lock: options.length)"]);
    expect(problems({ "kvguard-rotator": "random", "kvguard-options": "classes=upper,digit", "kvguard-grace-period": "PT1H" })).toEqual([]);
    // Whom TLS trusts (a CA, a certificate name) is never a tag's to say.
    expect(resolvePolicy(createRotators(), { "kvguard-rotator": "postgres", "kvguard-options": "serverName=evil.example" })).toMatchObject({
      kind: "invalid",
      problems: [expect.stringMatching(/option serverName can be set only in the operator's policy file/)],
    });
    const all = { ...entry!, lock: "*" as const };
    expect(resolvePolicy(createRotators(), { ProviderAddress: "evil:5432" }, all)).toMatchObject({
      kind: "invalid",
      problems: [expect.stringMatching(/^ProviderAddress: locked/)],
    });
  });
});

describe("a policy file that breaks", () => {
  let stack: LocalStack;
  let service: RotationService;
  const capture = new Capture();
  const GOOD = { secrets: [{ match: { name: "lg-*" }, rotator: "random", options: { length: 24 } }] };

  beforeAll(async () => {
    stack = await startLocalStack({ policy: GOOD });
    service = await serviceFor(stack, capture);
    await kvguardSecrets(stack).setSecret("lg-one", "first-value-Hs2");
  });
  afterAll(() => stack.stop());

  it("keeps the last good one in a running service, saying so, and rotations go on", async () => {
    expect((await service.rotateNow("local", "lg-one")).outcome).toBe("rotated");
    await writeFile(stack.env.KVGUARD_POLICY_FILE!, '{"secrets": [ { "match": ');
    const again = await service.rotateNow("local", "lg-one");
    expect(again.outcome).toBe("rotated");
    expect((await kvguardSecrets(stack).getSecret("lg-one")).value).toHaveLength(24);
    expect(
      capture.texts
        .filter((t) => t.where === "service log")
        .map((t) => t.text)
        .join("\n"),
    ).toMatch(/is not valid JSON.*; kvguard keeps the last good policy file it read/);
  });

  it("a process that never read it well gives every object the file's error", async () => {
    const run = await capture.cli(stack, ["rotate", "local/lg-one"]);
    expect(run.stdout).toMatch(/local\/lg-one: invalid-policy: invalid rotation policy: policy file .* is not valid JSON/);
    await stack.writePolicy!(GOOD);
  });
});
