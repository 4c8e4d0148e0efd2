/**
 * @module Unit tests of the rotation engine's pure parts: policies from tags and the policy file, windows,
 * due dates, job parsing, event parsing, the `random` rotator's generation and checks, key policy
 * resolution, the emulator's fault matching; and one against the local Key Vault and Azurite: instances
 * that first use the history HMAC key at once agree on it.
 */
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultError, Faults, parseMatch } from "../../emulator/faults.js";
import { resolveKeyPolicy } from "../../src/rotators/keyvault-key/index.js";
import { generate, randomRotator } from "../../src/rotators/random/index.js";
import { randomOptions, type RandomOptions } from "../../src/rotators/random/options.js";
import { createRotators, rotatorNames } from "../../src/rotators/registry.js";
import type { RotatorContext } from "../../src/rotators/types.js";
import { decide, dueAtMs } from "../../src/rotation/due.js";
import { ValueHmac } from "../../src/rotation/hmac.js";
import { encodeJob, parseJob, type RotationJob } from "../../src/rotation/job.js";
import { BlobLocks } from "../../src/rotation/lock.js";
import { DEFAULTS, parseOptionsTag, resolvePolicy, type SecretPolicy } from "../../src/rotation/policy.js";
import { matchEntry, parsePolicyFile } from "../../src/rotation/policyFile.js";
import { parseVaultEvent } from "../../src/rotation/vaultEvents.js";
import { isInWindow, parseWindow } from "../../src/rotation/window.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { meetsPolicy, OFFLINE_RUNTIME, versionsOf } from "../helpers/rotation.js";
import { DAY_MS } from "../../src/common/duration.js";

const at = (iso: string) => Date.parse(iso);

const ROTATORS = createRotators();

function policyOf(tags: Record<string, string>, entry?: Parameters<typeof resolvePolicy>[2]): SecretPolicy {
  const result = resolvePolicy(ROTATORS, tags, entry);
  if (result.kind !== "policy") throw new Error(`expected a policy, got ${JSON.stringify(result)}`);
  return result.policy;
}

function problemsOf(tags: Record<string, string>, entry?: Parameters<typeof resolvePolicy>[2]): string[] {
  const result = resolvePolicy(ROTATORS, tags, entry);
  if (result.kind !== "invalid") throw new Error(`expected invalid, got ${result.kind}`);
  return result.problems;
}

describe("policy from tags and the policy file", () => {
  it("no rotator anywhere is no policy", () => {
    expect(resolvePolicy(ROTATORS, undefined)).toEqual({ kind: "none" });
    expect(resolvePolicy(ROTATORS, { ValidityPeriodDays: "30", CredentialId: "x" })).toEqual({ kind: "none" });
  });

  it("takes Microsoft's tags and kvguard's, with defaults for the rest", () => {
    const policy = policyOf({ "kvguard-rotator": "random", CredentialId: "cred-1", ProviderAddress: "/subscriptions/x", ValidityPeriodDays: "60" });
    expect(policy).toMatchObject({
      credentialId: "cred-1",
      providerAddress: "/subscriptions/x",
      validityDays: 60,
      rotateBeforeExpiryDays: DEFAULTS.rotateBeforeExpiryDays,
      gracePeriodSeconds: DEFAULTS.gracePeriodSeconds,
      options: { length: 32, classes: ["upper", "lower", "digit", "symbol"] },
    });
    expect(policy.rotator.name).toBe("random");
    expect(policy.rotateEverySeconds).toBeUndefined();
    expect(policy.window).toBeUndefined();
    const full = policyOf({
      "kvguard-rotator": "random",
      "kvguard-rotate-every": "P30D",
      "kvguard-rotate-before-expiry-days": "10",
      "kvguard-grace-period": "PT12H",
      "kvguard-window": "Sat,Sun 01:00-05:00",
      "kvguard-options": "length=40; classes=upper,digit ;exclude=0O",
    });
    expect(full).toMatchObject({
      rotateEverySeconds: 30 * 86_400,
      rotateBeforeExpiryDays: 10,
      gracePeriodSeconds: 43_200,
      options: { length: 40, classes: ["upper", "digit"], exclude: "0O" },
    });
    expect(full.window).toMatchObject({ days: [0, 6], startMinute: 60, endMinute: 300 });
  });

  it("merges a policy-file entry under the tags, field by field (options key by key)", () => {
    const entry = {
      match: { vault: "*", name: "db-*" },
      rotator: "random",
      rotateEvery: "P7D",
      gracePeriod: "PT1H",
      validityPeriodDays: 60,
      options: { length: 48, classes: ["lower", "digit"] },
    };
    expect(policyOf({}, entry)).toMatchObject({ rotateEverySeconds: 7 * 86_400, gracePeriodSeconds: 3600, validityDays: 60 });
    const merged = policyOf({ "kvguard-rotate-every": "P1D", "kvguard-options": "length=12", "kvguard-rotate-before-expiry-days": "5" }, entry);
    expect(merged).toMatchObject({ rotateEverySeconds: 86_400, gracePeriodSeconds: 3600, options: { length: 12, classes: ["lower", "digit"] } });
  });

  it("reports every bad field at once, each naming its tag", () => {
    const problems = problemsOf({
      "kvguard-rotator": "random",
      "kvguard-rotate-every": "monthly",
      "kvguard-grace-period": "-5",
      "kvguard-window": "9-17",
      ValidityPeriodDays: "0",
      "kvguard-options": "length=4",
    });
    expect(problems.join("\n")).toMatch(/^kvguard-options: random rotator options: length must be at least 8$/m);
    expect(problems.join("\n")).toMatch(/^kvguard-rotate-every: "monthly" is not a duration/m);
    expect(problems.join("\n")).toMatch(/^kvguard-grace-period: "-5" is not a duration/m);
    expect(problems.join("\n")).toMatch(/^kvguard-window: "9-17" is not a rotation window/m);
    expect(problems.join("\n")).toMatch(/^ValidityPeriodDays: validity "0" is not a positive number/m);
    expect(problemsOf({ "kvguard-rotator": "random", "kvguard-rotate-every": "PT0S" })).toEqual(['kvguard-rotate-every: "PT0S" is not a positive duration']);
    expect(problemsOf({ "kvguard-rotator": "vault-magic" })[0]).toBe(`kvguard-rotator: unknown rotator "vault-magic" (known: ${rotatorNames().join(", ")})`);
    expect(rotatorNames()).toEqual(expect.arrayContaining(["random", "postgres", "mysql", "sqlserver", "storage-account", "entra-app-secret"]));
    expect(problemsOf({ "kvguard-rotator": "random", "kvguard-options": "nonsense=1" })[0]).toMatch(/^kvguard-options: random rotator options: /);
    expect(problemsOf({ "kvguard-rotator": "random", "kvguard-options": "exclude=0123456789" })[0]).toContain("exclude leaves no character of class digit");
  });

  it("parses the options tag as key=value pairs", () => {
    expect(parseOptionsTag(" length = 20 ; classes=upper,lower;; ")).toEqual({ length: "20", classes: "upper,lower" });
    expect(() => parseOptionsTag("=20")).toThrow('"=20" is not key=value');
  });

  it("a policy file matches entries by vault and name globs, the first match winning", () => {
    const file = parsePolicyFile(
      "secrets:\n  - match: { vault: prod-*, name: db-* }\n    rotator: random\n  - match: { name: '*' }\n    rotator: other\nkeys:\n  - match: { name: k1 }\n    rotator: keyvault-key\n    rotateEvery: P30D\n",
      "policy.yaml",
    );
    expect(matchEntry(file.secrets, "PROD-eu", "db-main")?.rotator).toBe("random");
    expect(matchEntry(file.secrets, "dev", "db-main")?.rotator).toBe("other");
    expect(matchEntry(file.keys, "dev", "k1")?.rotateEvery).toBe("P30D");
    expect(matchEntry(file.keys, "dev", "k2")).toBeUndefined();
  });

  it("a bad entry is an error for the objects it matches only; an unreadable file for every object", () => {
    const file = parsePolicyFile(
      JSON.stringify({
        secrets: [
          { match: { name: "a-*" }, rotator: "random", validityPeriodDays: "ninety" },
          { match: { name: "*" }, rotator: "random" },
        ],
      }),
      "p.json",
    );
    expect(problemsOf({}, matchEntry(file.secrets, "v", "a-1"))).toEqual([
      "policy file p.json: secrets[0].validityPeriodDays: Invalid input: expected number, received string",
    ]);
    expect(resolvePolicy(ROTATORS, {}, matchEntry(file.secrets, "v", "b-1")).kind).toBe("policy");
    const unmatched = parsePolicyFile(JSON.stringify({ secrets: [{ match: "everything", rotator: "random" }] }), "p.json");
    expect(problemsOf({ "kvguard-rotator": "random" }, matchEntry(unmatched.secrets, "v", "anything"))[0]).toMatch(
      /^policy file p\.json: secrets\[0\]\.match: /,
    );
    const broken = parsePolicyFile("secrets: [", "p.yaml");
    expect(problemsOf({ "kvguard-rotator": "random" }, matchEntry(broken.secrets, "v", "x"))[0]).toMatch(/^policy file p\.yaml is not valid YAML: /);
    expect(resolveKeyPolicy(ROTATORS, { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P30D" }, matchEntry(broken.keys, "v", "k"))).toMatchObject({
      kind: "invalid",
    });
  });

  it("a policy-file entry's revoke settings are checked when the file is read", () => {
    const file = parsePolicyFile(
      JSON.stringify({
        secrets: [
          { match: { name: "held-*" }, revoke: { maxGrace: "P3D", atMaxGrace: "hold", baselineWindow: "P30D" } },
          { match: { name: "bad-*" }, revoke: { maxGrace: "soon" } },
          { match: { name: "odd-*" }, revoke: { atMaxGrace: "wait" } },
        ],
      }),
      "p.json",
    );
    expect(matchEntry(file.secrets, "v", "held-1")?.revoke).toEqual({ maxGrace: "P3D", atMaxGrace: "hold", baselineWindow: "P30D" });
    expect(matchEntry(file.secrets, "v", "bad-1")?.invalid).toBe(
      "policy file p.json: secrets[1].revoke.maxGrace: is not a positive duration (seconds or ISO-8601, such as P7D)",
    );
    expect(matchEntry(file.secrets, "v", "odd-1")?.invalid).toMatch(/^policy file p\.json: secrets\[2\]\.revoke\.atMaxGrace: /);
  });
});

describe("rotation windows", () => {
  it("parses times, days, ranges and windows across midnight", () => {
    expect(parseWindow("02:00-05:00")).toMatchObject({ days: [0, 1, 2, 3, 4, 5, 6], startMinute: 120, endMinute: 300 });
    expect(parseWindow("Mon-Fri 22:00-02:00").days).toEqual([1, 2, 3, 4, 5]);
    expect(parseWindow("Fri-Mon 01:00-02:00").days).toEqual([0, 1, 5, 6]);
    expect(parseWindow("saturday,sun 01:00-02:00").days).toEqual([0, 6]);
    for (const bad of ["", "2-5", "24:00-01:00", "01:00-01:00", "Funday 01:00-02:00", "01:00 - 02:00", "01:60-02:00"]) {
      expect(() => parseWindow(bad), bad).toThrow();
    }
  });

  it("is open inside the window only, in UTC", () => {
    const w = parseWindow("Sat,Sun 01:00-05:00");
    expect(isInWindow(w, at("2026-11-28T01:00:00Z"))).toBe(true); // Saturday
    expect(isInWindow(w, at("2026-11-28T04:59:59Z"))).toBe(true);
    expect(isInWindow(w, at("2026-11-28T05:00:00Z"))).toBe(false);
    expect(isInWindow(w, at("2026-11-28T00:59:00Z"))).toBe(false);
    expect(isInWindow(w, at("2026-11-27T02:00:00Z"))).toBe(false); // Friday
  });

  it("a window across midnight belongs to the day it opens", () => {
    const w = parseWindow("Mon-Fri 22:00-02:00");
    expect(isInWindow(w, at("2026-11-27T23:00:00Z"))).toBe(true); // Friday night
    expect(isInWindow(w, at("2026-11-28T01:30:00Z"))).toBe(true); // Saturday early: Friday's window
    expect(isInWindow(w, at("2026-11-29T01:30:00Z"))).toBe(false); // Sunday early: Saturday opened none
    expect(isInWindow(w, at("2026-11-29T23:00:00Z"))).toBe(false); // Sunday night
    expect(isInWindow(w, at("2026-11-30T01:30:00Z"))).toBe(false); // Monday early: Sunday opened none
    expect(isInWindow(w, at("2026-11-30T22:00:00Z"))).toBe(true); // Monday night
  });
});

describe("when a secret is due", () => {
  const now = at("2026-11-28T12:00:00Z"); // a Saturday
  const base = policyOf({ "kvguard-rotator": "random" });

  it("is the earlier of its period after creation and N days before expiry", () => {
    const created = new Date(now - 10 * DAY_MS);
    const expires = new Date(now + 40 * DAY_MS);
    expect(dueAtMs({ rotateEverySeconds: 7 * 86_400, rotateBeforeExpiryDays: 30 }, { createdOn: created, expiresOn: expires })).toBe(
      created.getTime() + 7 * DAY_MS,
    );
    expect(dueAtMs({ rotateEverySeconds: 30 * 86_400, rotateBeforeExpiryDays: 30 }, { createdOn: created, expiresOn: expires })).toBe(
      expires.getTime() - 30 * DAY_MS,
    );
    expect(dueAtMs({ rotateBeforeExpiryDays: 30 }, { createdOn: created })).toBeUndefined();
  });

  it("decides: not due (with the time), due, or due but waiting for the window unless expired", () => {
    expect(decide(base, { createdOn: new Date(now) }, now)).toEqual({ due: false, reason: "nothing makes it due: no rotation period and no expiry" });
    const later = decide(base, { expiresOn: new Date(now + 31 * DAY_MS) }, now);
    expect(later).toEqual({ due: false, reason: `not due until ${new Date(now + DAY_MS).toISOString()}`, nextDueAtMs: now + DAY_MS });
    expect(decide(base, { expiresOn: new Date(now + 29 * DAY_MS) }, now)).toEqual({ due: true });
    const windowed = policyOf({ "kvguard-rotator": "random", "kvguard-window": "Mon-Fri 02:00-04:00" });
    const waiting = decide(windowed, { expiresOn: new Date(now + 5 * DAY_MS) }, now);
    expect(waiting).toMatchObject({ due: false, reason: "due, waiting for the rotation window Mon-Fri 02:00-04:00" });
    expect(decide(windowed, { expiresOn: new Date(now - 1000) }, now)).toEqual({ due: true });
    expect(decide(windowed, { expiresOn: new Date(now + 5 * DAY_MS) }, at("2026-11-30T03:00:00Z"))).toEqual({ due: true });
  });
});

describe("rotation jobs", () => {
  const job: RotationJob = {
    v: 1,
    kind: "secret",
    vault: "local",
    name: "db-password",
    trigger: "event",
    baseVersion: "abc",
    eventId: "e1",
    requestedAt: "2026-11-28T00:00:00.000Z",
  };

  it("round-trips as the queue carries it: base64 JSON, JSON text or the decoded object", () => {
    expect(parseJob(encodeJob(job))).toEqual({ ok: true, job });
    expect(parseJob(JSON.stringify(job))).toEqual({ ok: true, job });
    expect(parseJob(job)).toEqual({ ok: true, job });
  });

  it("rejects anything else with the field at fault", () => {
    expect(parseJob("hello")).toEqual({ ok: false, error: "the message is not JSON (nor base64 JSON)" });
    expect(parseJob("{not json")).toEqual({ ok: false, error: "the message is not JSON (nor base64 JSON)" });
    expect(parseJob(42)).toMatchObject({ ok: false, error: expect.stringMatching(/^the message is not a rotation job: message: /) as unknown });
    expect(parseJob({ ...job, v: 2 })).toMatchObject({ ok: false, error: expect.stringMatching(/: v: /) as unknown });
    expect(parseJob({ ...job, kind: "blob" })).toMatchObject({ ok: false, error: expect.stringMatching(/: kind: /) as unknown });
    expect(parseJob({ ...job, name: "a/b" })).toMatchObject({ ok: false, error: expect.stringMatching(/: name: is not a Key Vault object name/) as unknown });
    expect(parseJob({ ...job, extra: 1 })).toMatchObject({ ok: false });
    expect(parseJob({ ...job, requestedAt: "yesterday" })).toMatchObject({ ok: false, error: expect.stringMatching(/requestedAt/) as unknown });
  });
});

describe("Key Vault events", () => {
  const topic = "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/prod";
  const data = { VaultName: "prod", ObjectType: "Secret", ObjectName: "db", Version: "v1" };

  it("tells secret events from key events (both names hold '.Key')", () => {
    for (const [type, kind] of [
      ["Microsoft.KeyVault.SecretNearExpiry", "secret"],
      ["Microsoft.KeyVault.SecretExpired", "secret"],
      ["Microsoft.KeyVault.KeyNearExpiry", "key"],
      ["Microsoft.KeyVault.KeyExpired", "key"],
    ] as const) {
      const parsed = parseVaultEvent({ id: "1", eventType: type, topic, subject: "db", data });
      expect(parsed, type).toEqual({ ok: true, event: { id: "1", type, topicVault: "prod", kind, name: "db", version: "v1" } });
    }
  });

  it("reads CloudEvents too, and ignores other event types", () => {
    const cloud = parseVaultEvent({ id: "2", type: "Microsoft.KeyVault.SecretNearExpiry", source: topic, specversion: "1.0", data });
    expect(cloud).toMatchObject({ ok: true, event: { kind: "secret", topicVault: "prod" } });
    expect(parseVaultEvent({ id: "3", eventType: "Microsoft.KeyVault.SecretNewVersionCreated", topic, subject: "db", data })).toEqual({
      ok: false,
      ignored: true,
      id: "3",
      reason: "Microsoft.KeyVault.SecretNewVersionCreated does not trigger rotation",
    });
  });
});

describe("the random rotator", () => {
  const options = (input: Record<string, unknown>) => randomOptions.parse(input);
  const ctx = (o: RandomOptions): RotatorContext => ({
    vault: { name: "v", url: "https://v.vault.azure.net" },
    secretName: "s",
    options: o,
    runtime: OFFLINE_RUNTIME,
    log: () => undefined,
  });

  it("generates the length, every class, and never an excluded character", () => {
    for (const [input, policy] of [
      [{}, { length: 32, classes: ["upper", "lower", "digit", "symbol"] as const, exclude: "\"'`\\" }],
      [
        { length: 8, classes: "digit,upper" },
        { length: 8, classes: ["digit", "upper"] as const },
      ],
      [
        { length: "64", classes: ["lower"], exclude: "abcdefghijklmnopqrstuvwxy" },
        { length: 64, classes: ["lower"] as const },
      ],
      [
        { length: 4096, exclude: "0O1lI" },
        { length: 4096, classes: ["upper", "lower", "digit", "symbol"] as const, exclude: "0O1lI" },
      ],
    ] as const) {
      const parsed = options(input);
      for (let i = 0; i < 50; i++) {
        const value = generate(parsed);
        expect(meetsPolicy(value, { ...policy, classes: [...policy.classes] }), `${JSON.stringify(input)}: ${value.length}`).toBe(true);
      }
    }
    expect(generate(options({ length: 64, classes: ["lower"], exclude: "abcdefghijklmnopqrstuvwxy" }))).toBe("z".repeat(64));
  });

  it("does not repeat itself", () => {
    const parsed = options({ length: 16 });
    expect(new Set(Array.from({ length: 200 }, () => generate(parsed))).size).toBe(200);
  });

  it("refuses bad options, naming them", () => {
    for (const [input, message] of [
      [{ length: 7 }, "length must be at least 8"],
      [{ length: 5000 }, "length must be at most 4096"],
      [{ length: "ten" }, "expected number"],
      [{ classes: "upper,emoji" }, 'unknown character class "emoji"'],
      [{ classes: [] }, "random rotator options: "],
      [{ exclude: "ABCDEFGHIJKLMNOPQRSTUVWXYZ" }, "exclude leaves no character of class upper"],
      [{ lenght: 20 }, 'Unrecognized key: "lenght"'],
    ] as const) {
      expect(() => randomRotator.parseOptions(input), JSON.stringify(input)).toThrow(message);
    }
  });

  it("tests the pending value against the policy, not the current one", async () => {
    const o = options({ length: 10, classes: "upper,digit" });
    await expect(randomRotator.test(ctx(o), { value: "ABCDE12345", metadata: {} }, "pending")).resolves.toBeUndefined();
    await expect(randomRotator.test(ctx(o), { value: "ABCDE1234", metadata: {} }, "pending")).rejects.toThrow("not 10 characters");
    await expect(randomRotator.test(ctx(o), { value: "ABCDEFGHIJ", metadata: {} }, "pending")).rejects.toThrow("no digit character");
    await expect(randomRotator.test(ctx(o), { value: "short", metadata: {} }, "current")).resolves.toBeUndefined();
    const created = await randomRotator.create(ctx(o), { value: "old", metadata: {} });
    expect(meetsPolicy(created.value, { length: 10, classes: ["upper", "digit"] })).toBe(true);
  });
});

describe("keyvault-key policy resolution", () => {
  it("maps tags to Key Vault's native policy, within Key Vault's limits", () => {
    expect(resolveKeyPolicy(ROTATORS, {})).toEqual({ kind: "none" });
    expect(
      resolveKeyPolicy(ROTATORS, {
        "kvguard-rotator": "keyvault-key",
        "kvguard-rotate-every": "P30D",
        ValidityPeriodDays: "90",
        "kvguard-notify-before-expiry": "P14D",
      }),
    ).toEqual({
      kind: "policy",
      policy: { rotateEvery: "P30D", expiresIn: "P90D", notifyBeforeExpiry: "P14D" },
    });
    expect(resolveKeyPolicy(ROTATORS, { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "2592000" })).toEqual({
      kind: "policy",
      policy: { rotateEvery: "PT2592000S" },
    });
    const bad = (tags: Record<string, string>) => {
      const r = resolveKeyPolicy(ROTATORS, { "kvguard-rotator": "keyvault-key", ...tags });
      return r.kind === "invalid" ? r.problems.join("; ") : `not invalid: ${JSON.stringify(r)}`;
    };
    expect(bad({ "kvguard-rotate-every": "P6D" })).toContain("shorter than Key Vault's 7-day minimum");
    expect(bad({ ValidityPeriodDays: "27" })).toContain("shorter than Key Vault's 28-day minimum");
    expect(bad({ "kvguard-rotate-every": "P30D", "kvguard-notify-before-expiry": "P10D" })).toContain("needs ValidityPeriodDays");
    expect(bad({})).toContain("needs a rotation period or a validity");
    expect(bad({ "kvguard-rotate-every": "soon" })).toContain('"soon" is not a duration');
    expect(resolveKeyPolicy(ROTATORS, { "kvguard-rotator": "random" })).toMatchObject({ kind: "invalid" });
  });
});

describe("emulator fault matching", () => {
  it("parses method and path prefixes, exact paths with $", () => {
    expect(parseMatch("PUT /secrets/")).toEqual({ method: "PUT", path: "/secrets", exact: false });
    expect(parseMatch("get")).toEqual({ method: "GET", exact: false });
    expect(parseMatch("/Keys/K1$")).toEqual({ path: "/keys/k1", exact: true });
    for (const bad of ["", "FETCH /x", "PUT PUT", "secrets"]) expect(() => parseMatch(bad), bad).toThrow();
  });

  it("serves the next N matching requests, first matching fault first", () => {
    const faults = new Faults();
    faults.add({ status: 503, count: 2, match: "PUT /secrets/a" });
    faults.add({ status: 429, count: 1, retryAfterSeconds: 3 });
    expect(faults.take("GET", "/secrets/a")?.status).toBe(429);
    expect(faults.take("GET", "/secrets/a")).toBeUndefined();
    expect(faults.take("PUT", "/secrets/abc/")?.code).toBe("ServiceUnavailable");
    expect(faults.take("put", "/SECRETS/a")?.status).toBe(503);
    expect(faults.take("PUT", "/secrets/a")).toBeUndefined();
    expect(faults.list().map((f) => [f.served, f.remaining])).toEqual([
      [2, 0],
      [1, 0],
    ]);
    expect(faultError(429).headers).toEqual({ "Retry-After": "1" });
    expect(faultError(503, 2).toBody()).toMatchObject({ error: { code: "ServiceUnavailable" } });
    expect(() => faults.add({ status: 302, count: 1 })).toThrow();
    expect(faults.clear()).toBe(2);
  });
});

describe("the history HMAC key", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack.stop());

  it("is created once by instances that start at once on a new vault, so their HMACs agree", async () => {
    const secrets = stack.tv.clients({ name: "kvguard" }).secrets;
    const locks = new BlobLocks(BlobServiceClient.fromConnectionString(stack.azurite.connectionString));
    const instances = Array.from({ length: 4 }, () => new ValueHmac("kvguard-history-hmac-key", locks));
    const hmacs = await Promise.all(instances.map((h) => h.of("local", secrets, "the same value")));
    expect(new Set(hmacs).size).toBe(1);
    expect(await versionsOf(secrets, "kvguard-history-hmac-key")).toHaveLength(1);
    // A later instance agrees too, and a different value differs.
    const later = new ValueHmac("kvguard-history-hmac-key", locks);
    expect(await later.of("local", secrets, "the same value")).toBe(hmacs[0]);
    expect(await later.of("local", secrets, "another value")).not.toBe(hmacs[0]);
  });
});
