/**
 * @module Malformed rotation policies through `kvguard sweep`: bad tags (durations, rotator, options,
 * window, validity) and policy files (bad entries, JSON and YAML that do not parse) give each secret its own
 * clear error in history, status and the sweep report, while the sweep goes on with the other secrets.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotationService } from "../../src/rotation/service.js";
import type { RotationStatus } from "../../src/rotation/status.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, expectNoSecretValues, kvguardSecrets, meetsPolicy, serviceFor, versionsOf } from "../helpers/rotation.js";
import { DAY_MS } from "../../src/common/duration.js";

const dir = mkdtempSync(join(tmpdir(), "kvguard-policy-"));
const files = {
  good: join(dir, "policy.json"),
  brokenJson: join(dir, "broken.json"),
  brokenYaml: join(dir, "broken.yaml"),
  badShapeYaml: join(dir, "shape.yaml"),
};
writeFileSync(
  files.good,
  JSON.stringify({
    secrets: [
      // Entry 0 does not fit the schema: the secrets it matches get its error.
      { match: { name: "f-bad-*" }, rotator: "random", rotateEvery: 5 },
      // Entry 1 fits the schema but holds a bad duration: an error for that secret.
      { match: { name: "f-worse" }, rotator: "random", rotateEvery: "soon" },
      { match: { name: "f-*" }, rotator: "random", options: { length: 40, classes: ["upper", "digit"] } },
    ],
  }),
);
writeFileSync(files.brokenJson, '{"secrets": [ { "match": { "name": "f-*" }, "rotator": "random" }, ]');
writeFileSync(files.brokenYaml, "secrets:\n  - match: { name: f-*\n    rotator: random\n");
writeFileSync(files.badShapeYaml, "secret:\n  - match: { name: f-* }\n    rotator: random\n");

/** Secrets with bad tags, and the tag each problem must name. */
const BAD_TAGS: Record<string, [Record<string, string>, string]> = {
  "t-bad-duration": [{ "kvguard-rotator": "random", "kvguard-rotate-every": "every month" }, 'kvguard-rotate-every: "every month" is not a duration'],
  "t-bad-rotator": [{ "kvguard-rotator": "nope" }, 'kvguard-rotator: unknown rotator "nope"'],
  "t-bad-options": [{ "kvguard-rotator": "random", "kvguard-options": "length=3" }, "kvguard-options: random rotator options: length must be at least 8"],
  "t-bad-options-syntax": [{ "kvguard-rotator": "random", "kvguard-options": "length" }, 'kvguard-options: "length" is not key=value'],
  "t-bad-class": [{ "kvguard-rotator": "random", "kvguard-options": "classes=upper,emoji" }, 'unknown character class "emoji"'],
  "t-bad-window": [{ "kvguard-rotator": "random", "kvguard-window": "25:00-26:00" }, 'kvguard-window: "25:00" is not a time of day'],
  "t-bad-validity": [{ "kvguard-rotator": "random", ValidityPeriodDays: "ninety" }, 'ValidityPeriodDays: validity "ninety" is not a positive number'],
  "t-bad-grace": [{ "kvguard-rotator": "random", "kvguard-grace-period": "P1M" }, 'kvguard-grace-period: "P1M" is not a duration'],
  "t-bad-before": [{ "kvguard-rotator": "random", "kvguard-rotate-before-expiry-days": "120" }, "120 days before expiry is not inside a validity of 90 days"],
};
const FILE_PROBLEMS: Record<string, string> = {
  "f-bad-1": `policy file ${files.good}: secrets[0].rotateEvery:`,
  "f-worse": 'kvguard-rotate-every: "soon" is not a duration',
};

let stack: LocalStack;
let service: RotationService;
const capture = new Capture();

async function sweep(policyFile: string): Promise<{ invalid: { object: string; problems: string[] }[]; enqueued: number }> {
  const run = await capture.cli(stack, ["sweep", "--json"], { KVGUARD_POLICY_FILE: policyFile });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { invalid: { object: string; problems: string[] }[]; enqueued: number };
}

async function seed(name: string, tags: Record<string, string>): Promise<void> {
  // Due: Key Vault's expiry is within the default 30 days' lead.
  await kvguardSecrets(stack).setSecret(name, `initial-${name}-Pm7q`, { tags, expiresOn: new Date(stack.tv.kv.clock.nowMs() + 5 * DAY_MS) });
}

async function statusOf(name: string): Promise<RotationStatus | undefined> {
  return service.status.get("local", name, "secret");
}

beforeAll(async () => {
  stack = await startLocalStack();
  service = await serviceFor(stack, capture);
  await Promise.all([
    seed("t-good", { "kvguard-rotator": "random", "kvguard-options": "length=20;classes=lower,digit", team: "web" }),
    ...Object.entries(BAD_TAGS).map(([name, [tags]]) => seed(name, tags)),
    seed("f-good", {}),
    seed("f-override", { "kvguard-options": "length=16" }),
    seed("f-bad-1", {}),
    seed("f-worse", {}),
    seed("plain", {}),
  ]);
});
afterAll(() => stack.stop());

describe("malformed tags and policy-file entries", () => {
  it("each bad secret gets its own error; the sweep rotates the others", async () => {
    const report = await sweep(files.good);
    const invalid = Object.fromEntries(report.invalid.map((i) => [i.object, i.problems.join("; ")]));
    for (const [name, [, problem]] of Object.entries(BAD_TAGS)) expect(invalid[`local/${name}`], name).toContain(problem);
    for (const [name, problem] of Object.entries(FILE_PROBLEMS)) expect(invalid[`local/${name}`], name).toContain(problem);
    expect(Object.keys(invalid)).toHaveLength(Object.keys(BAD_TAGS).length + Object.keys(FILE_PROBLEMS).length);

    const secrets = kvguardSecrets(stack);
    for (const name of [...Object.keys(BAD_TAGS), ...Object.keys(FILE_PROBLEMS), "plain"]) {
      expect(await versionsOf(secrets, name), name).toHaveLength(1);
    }
    for (const name of ["t-good", "f-good", "f-override"]) expect(await versionsOf(secrets, name), name).toHaveLength(2);
  });

  it("tags and the policy file merge field by field, the tags winning", async () => {
    const secrets = kvguardSecrets(stack);
    const tagged = (await secrets.getSecret("t-good")).value!;
    const fromFile = (await secrets.getSecret("f-good")).value!;
    const merged = (await secrets.getSecret("f-override")).value!;
    expect(meetsPolicy(tagged, { length: 20, classes: ["lower", "digit"] })).toBe(true);
    expect(meetsPolicy(fromFile, { length: 40, classes: ["upper", "digit"] })).toBe(true);
    // Length from the tag, classes from the file.
    expect(meetsPolicy(merged, { length: 16, classes: ["upper", "digit"] })).toBe(true);
    expect((await secrets.getSecret("t-good")).properties.tags?.team).toBe("web");
  });

  it("records each problem once in history and in status", async () => {
    await sweep(files.good);
    for (const [name, problem] of [...Object.entries(BAD_TAGS).map(([n, [, p]]) => [n, p] as const), ...Object.entries(FILE_PROBLEMS)]) {
      const rows = await service.history.list({ vault: "local", name });
      expect(rows, name).toHaveLength(1);
      expect(rows[0]).toMatchObject({ step: "policy", outcome: "failed" });
      expect(rows[0]!.message).toContain(problem);
      const status = await statusOf(name);
      expect(status).toMatchObject({ state: "invalid-policy" });
      expect(status!.lastError).toContain(problem);
    }
    const shown = await capture.cli(stack, ["status", "local"], { KVGUARD_POLICY_FILE: files.good });
    expect(shown.stdout).toMatch(/local\/t-bad-window {2}invalid-policy .*last error: invalid rotation policy: kvguard-window/);
    const history = await capture.cli(stack, ["history", "local/t-bad-rotator"], { KVGUARD_POLICY_FILE: files.good });
    expect(history.stdout).toContain('unknown rotator "nope"');
  });

  it("an on-demand rotation of a bad secret says why and rotates nothing", async () => {
    const run = await capture.cli(stack, ["rotate", "local/t-bad-options"], { KVGUARD_POLICY_FILE: files.good });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "local/t-bad-options: invalid-policy: invalid rotation policy: kvguard-options: random rotator options: length must be at least 8",
    );
    expect(await versionsOf(kvguardSecrets(stack), "t-bad-options")).toHaveLength(1);
  });

  it("fixing the tag lets the next sweep rotate the secret", async () => {
    const secrets = kvguardSecrets(stack);
    const current = await secrets.getSecret("t-bad-window");
    await secrets.updateSecretProperties("t-bad-window", current.properties.version!, { tags: { "kvguard-rotator": "random" } });
    await sweep(files.good);
    expect(await versionsOf(secrets, "t-bad-window")).toHaveLength(2);
    expect(await statusOf("t-bad-window")).toMatchObject({ state: "ok" });
  });
});

describe("a policy file that cannot be parsed", () => {
  const broken = [
    ["JSON with a syntax error", files.brokenJson, "z-due-json", /policy file .*broken\.json is not valid JSON/],
    ["YAML with a syntax error", files.brokenYaml, "z-due-yaml", /policy file .*broken\.yaml is not valid YAML/],
    ["YAML of the wrong shape", files.badShapeYaml, "z-due-shape", /policy file .*shape\.yaml: document: Unrecognized key: "secret"/],
  ] as const;

  it("JSON or YAML: every secret gets the file's error, the sweep goes on and rotates nothing", async () => {
    await Promise.all(broken.map(([, , name]) => seed(name, { "kvguard-rotator": "random" })));
    for (const [what, file, name, problem] of broken) {
      const report = await sweep(file);
      expect(report.enqueued, what).toBe(0);
      const invalid = report.invalid.find((i) => i.object === `local/${name}`);
      expect(invalid?.problems.join("; "), what).toMatch(problem);
      // Every secret, tagged or not, since the file could govern any of them.
      expect(report.invalid.map((i) => i.object)).toEqual(expect.arrayContaining(["local/plain", "local/t-good", "local/f-good", "local/z-due-json"]));
      const rows = await service.history.list({ vault: "local", name });
      expect(rows[0]!.message, what).toMatch(problem);
      expect((await statusOf(name))?.lastError, what).toMatch(problem);
    }
    for (const [, , name] of broken) expect(await versionsOf(kvguardSecrets(stack), name)).toHaveLength(1);
  });

  it("with the file fixed, the next sweep rotates them", async () => {
    await sweep(files.good);
    for (const [, , name] of broken) {
      expect(await versionsOf(kvguardSecrets(stack), name)).toHaveLength(2);
      expect(await statusOf(name)).toMatchObject({ state: "ok" });
    }
  });

  it("shows no secret value in any output, history or status row", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
