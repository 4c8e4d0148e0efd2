/**
 * @module The rotator contract: one suite run over every registered rotator (each with its target from
 * contract/fixtures.ts), against the local stack through the rotation service and the built CLI. A rotation
 * killed at each of the engine's kill points (right after create, set, test, finish, and inside create and set
 * once the rotator acted at the target, before Key Vault knows: `kvguard rotate` SIGKILLed; stopped in process
 * for a target that lives in the test process) is finished when run again by hand or by the sweep's resume,
 * with one new credential live, the replaced one as the rotator's design keeps it, no credential left over at
 * the target and one finish; triggers at once, and
 * two `kvguard sweep` processes working one due secret (as two scaled-out instances would), make exactly one new
 * version; hostile tags get a clear refusal in one escaped line and leave the secret as it was, as does a name
 * too long for the pending companion; the live value works at the target after every rotation; and no secret
 * value appears in any output, history or status.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotationService } from "../../../src/rotation/service.js";
import { drainQueue } from "../../../src/state/queueWorker.js";
import { nativeRotatorNames, rotatorNames } from "../../../src/rotators/registry.js";
import { startLocalStack, type LocalStack } from "../../helpers/localStack.js";
import { needs } from "../../helpers/machineServices.js";
import { appFor, Capture, expectNoSecretValues, kvguardSecrets, openPendings, versionsOf } from "../../helpers/rotation.js";
import { FIXTURES, NATIVE_FIXTURES, type ContractTarget } from "./fixtures.js";
import { DAY_MS } from "../../../src/common/duration.js";

/** The engine's kill points (KillPoint), in the order a run passes them. */
const KILL_POINTS = ["create-at-target", "create", "set-at-target", "set", "test", "finish"] as const;
/** Killed before the pending credential was written: nothing for the sweep to resume, so rerun by hand. */
const NOTHING_PENDING = "create-at-target";
/** What a log line or CLI output may never carry raw: ESC, CR, a line or paragraph separator, a bidi override. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u001b\r\u2028\u2029\u202a-\u202e]/;
const HOSTILE = "x\n\u001b[31m\u202e'; DROP ROLE postgres; --\r";
/** The vault of the racing sweeps, apart so they find only their secret due. */
const RACE_VAULT = "race";
/** The longest secret name kvguard rotates: Key Vault's 127 less its pending companion's suffix. */
const LONGEST_NAME = 127 - "--kvguard-pending".length;
function fail(step: string): never {
  throw new Error(`stopped after ${step}`);
}

/** The registry as the product has it (the fixtures register test doubles while they start). */
const REGISTERED = rotatorNames();
const NATIVE = nativeRotatorNames();
const SECRET_COUNT = Object.keys(FIXTURES).length;

/** The last line of a `--json` command's output. */
function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}

/**
 * Registers part `part` of `parts` of the suite: each rotator's block starts its own local stack and target,
 * so the parts run as separate test files, side by side (contract.*.test.ts).
 */
export function contractSuite(part: number, parts: number): void {
  if (part === 0)
    describe("the rotator contract", () => {
      it("has a fixture for every registered rotator", () => {
        const covered = new Set(Object.entries(FIXTURES).map(([label, f]) => f.rotator ?? label));
        expect(REGISTERED.filter((name) => !covered.has(name))).toEqual([]);
        expect(NATIVE.filter((name) => !NATIVE_FIXTURES[name])).toEqual([]);
      });
    });

  for (const [label, fixture] of Object.entries(FIXTURES).filter((_, i) => i % parts === part)) {
    const describeFor = fixture.needs ? needs(fixture.needs).describe : describe;

    describeFor(`the ${label} rotator under the contract`, () => {
      let stack: LocalStack;
      let target: ContractTarget;
      let service: RotationService;
      const capture = new Capture();
      const bindings: Record<string, unknown>[] = [];
      /** Each seeded secret's first value, to ask the target about the replaced credential. */
      const firstValues = new Map<string, string>();

      beforeAll(async () => {
        // The operator's bindings grow with each seeded target; the suite's rotations come seconds apart, so the
        // operator's minimum period is a second here (the floor itself has its own tests, test/trust/).
        stack = await startLocalStack({ vaults: ["local", RACE_VAULT], policy: {}, settings: { KVGUARD_MIN_ROTATION_PERIOD: "PT1S" } });
        target = await fixture.start(stack);
        service = await appFor(stack, capture, { lockWaitMs: 120_000 }).rotation();
      });
      afterAll(async () => {
        await target?.stop();
        await stack?.stop();
      });

      /** Seeds a credential at the target and its secret; returns the secret's first version. */
      async function seed(secret: string, extraTags: Record<string, string> = {}, vault = "local", expiresOn?: Date): Promise<string> {
        const seeded = await target.seed(secret);
        capture.values.add(seeded.value);
        firstValues.set(secret, seeded.value);
        if (seeded.binding) {
          bindings.push(seeded.binding);
          await stack.writePolicy!({ ...fixture.policy, bindings: { [seeded.tags["kvguard-rotator"]!]: bindings } });
        }
        const set = await kvguardSecrets(stack, vault).setSecret(secret, seeded.value, {
          tags: { ...seeded.tags, ...extraTags },
          ...(seeded.contentType ? { contentType: seeded.contentType } : {}),
          ...(expiresOn ? { expiresOn } : {}),
        });
        return set.properties.version!;
      }

      /**
       * One new version, holding a value that works at the target and made by the one pending credential the
       * history records (one create, one finish, the same value); the replaced credential as the rotator's design
       * keeps it; no other credential left at the target; nothing left open.
       */
      async function expectRotatedOnce(secret: string, firstVersion: string, vault = "local"): Promise<void> {
        const secrets = kvguardSecrets(stack, vault);
        const versions = await versionsOf(secrets, secret);
        expect(
          versions.map((v) => v.version).filter((v) => v !== firstVersion),
          secret,
        ).toHaveLength(1);
        const live = await secrets.getSecret(secret);
        capture.values.add(live.value!);
        expect(await target.works(secret, live.value!), `${secret}: the live value works at the target`).toBe(true);
        if (fixture.keepsPrevious !== undefined)
          expect(await target.works(secret, firstValues.get(secret)!), `${secret}: the replaced credential works until its revoke`).toBe(fixture.keepsPrevious);
        if (target.held) expect(await target.held(secret), `${secret}: credentials at the target`).toBe(fixture.keepsPrevious ? 2 : 1);
        const history = await service.history.list({ vault, name: secret });
        const made = history.filter((r) => r.step === "create" && r.outcome === "ok" && r.valueHmac);
        const finished = history.filter((r) => r.step === "finish" && r.outcome === "ok" && r.valueHmac);
        expect(made, `${secret}: one pending credential made`).toHaveLength(1);
        expect(
          finished.map((r) => r.valueHmac),
          `${secret}: one finish, with the value made`,
        ).toEqual([made[0]!.valueHmac]);
        expect(
          (await openPendings(secrets)).filter((p) => p.startsWith(secret)),
          secret,
        ).toEqual([]);
      }

      it("finishes a rotation killed at each kill point, when run again by hand or by the sweep", async () => {
        const cases = KILL_POINTS.map((step) => ({ step, secret: `contract-kill-${step}`, first: "" }));
        for (const c of cases) c.first = await seed(c.secret);
        if (fixture.outOfProcess) {
          // `kvguard rotate` SIGKILLed at the kill point (KVGUARD_CRASH_AFTER_STEP): no cleanup of any kind.
          await Promise.all(
            cases.map(async (c) => {
              const killed = await capture.cli(stack, ["rotate", `local/${c.secret}`], { KVGUARD_CRASH_AFTER_STEP: c.step });
              expect(killed.code, `${c.secret}: ${killed.stderr}`).toBeNull();
            }),
          );
        } else {
          // The target lives in this process: the run stops by throwing right after the step instead.
          for (const c of cases) {
            const stopping = await appFor(stack, capture, {
              afterStep: (done, job) => void (job.name === c.secret && done === c.step && fail(c.step)),
            }).rotation();
            await expect(stopping.rotateNow("local", c.secret)).rejects.toThrow(`stopped after ${c.step}`);
          }
        }
        for (const c of cases) {
          const pending = kvguardSecrets(stack).getSecret(`${c.secret}--kvguard-pending`);
          if (c.step === NOTHING_PENDING) {
            // The rotator may have acted at the target already; Key Vault holds nothing new.
            await expect(pending, c.secret).rejects.toMatchObject({ statusCode: 404 });
            expect((await versionsOf(kvguardSecrets(stack), c.secret)).map((v) => v.version)).toEqual([c.first]);
            continue;
          }
          capture.values.add((await pending).value!);
          expect((await pending).properties.tags?.["kvguard-state"], c.secret).toBe("open");
        }
        // Run again: by hand for the first three (once the dead run's lock lapses), then the sweep resumes the others.
        const [byHand, bySweep] = [cases.slice(0, 3), cases.slice(3)];
        const outcomes = await Promise.all(
          byHand.map(async (c) =>
            fixture.outOfProcess
              ? lastJson<{ outcome: string }>((await capture.cli(stack, ["rotate", `local/${c.secret}`, "--json"])).stdout).outcome
              : (await service.rotateNow("local", c.secret)).outcome,
          ),
        );
        expect(outcomes, byHand.map((c) => c.secret).join(", ")).toEqual(byHand.map(() => "rotated"));
        if (fixture.outOfProcess) {
          const swept = await capture.cli(stack, ["sweep", "--json"]);
          expect(swept.code, swept.stderr).toBe(0);
          expect(lastJson<{ resumed: number }>(swept.stdout).resumed).toBe(bySweep.length);
        } else {
          await service.sweep();
          await drainQueue(service.queue, (m) => service.processMessage(m.text).then(() => undefined), {
            concurrency: 4,
            visibilityTimeoutSeconds: 60,
            poison: service.poison,
          });
        }
        for (const c of cases) await expectRotatedOnce(c.secret, c.first);
      });

      it("makes one new version when triggers come at once", async () => {
        const secret = "contract-at-once";
        const first = await seed(secret);
        const outcomes = await Promise.all([0, 1, 2].map(() => service.rotateNow("local", secret).then((r) => r.outcome)));
        expect(outcomes.sort()).toEqual(["already-rotated", "already-rotated", "rotated"]);
        await expectRotatedOnce(secret, first);
      });

      it.skipIf(!fixture.outOfProcess)("makes one new version when two worker processes race on one due secret", async () => {
        // Due: it expires within the default 30 days' lead. Each `kvguard sweep` enqueues its job and runs the queue
        // as a scaled-out worker instance would: both see it due, one rotates, the other finds it rotated.
        const secret = "contract-two-workers";
        const first = await seed(secret, {}, RACE_VAULT, new Date(stack.tv.kv.clock.nowMs() + 5 * DAY_MS));
        const only = { KVGUARD_VAULT_URLS: `${RACE_VAULT}=${stack.tv.kv.urls[RACE_VAULT]!}` };
        const runs = await Promise.all([0, 1].map(() => capture.cli(stack, ["sweep", "--json"], only)));
        for (const run of runs) expect(run.code, run.stderr).toBe(0);
        await expectRotatedOnce(secret, first, RACE_VAULT);
        const finishes = (await service.history.list({ vault: RACE_VAULT, name: secret })).filter(
          (r) => r.step === "finish" && r.outcome === "ok" && r.valueHmac,
        );
        expect(finishes).toHaveLength(1);
      });

      it("refuses hostile tags clearly, in one escaped line, and leaves the secret as it was", async () => {
        const secret = "contract-hostile";
        const first = await seed(secret, { "kvguard-options": `length=${HOSTILE}` });
        const outcome = await service.rotateNow("local", secret).then(
          (r) => `${r.outcome}: ${r.message}`,
          (error: Error) => `error: ${error.message}`,
        );
        capture.add("hostile outcome", outcome);
        expect(outcome).toMatch(/^(invalid-policy|error): /);
        if (fixture.outOfProcess) {
          const run = await capture.cli(stack, ["rotate", `local/${secret}`]);
          expect(run.code).not.toBeNull();
          expect(run.stdout + run.stderr).not.toMatch(RAW_CONTROL);
        }
        const secrets = kvguardSecrets(stack);
        expect((await versionsOf(secrets, secret)).map((v) => v.version)).toEqual([first]);
        expect(await openPendings(secrets)).toEqual([]);
        const history = await service.history.list({ vault: "local", name: secret });
        for (const row of history) expect(row.message).not.toMatch(RAW_CONTROL);
      });

      it("rotates the longest name it can and refuses a longer one clearly, leaving it as it was", async () => {
        const longest = `contract-long-${"n".repeat(LONGEST_NAME - "contract-long-".length)}`;
        const first = await seed(longest);
        expect((await service.rotateNow("local", longest)).outcome).toBe("rotated");
        await expectRotatedOnce(longest, first);
        const tooLong = `${longest}x`;
        const kept = await seed(tooLong);
        await expect(service.rotateNow("local", tooLong)).rejects.toThrow(`is too long for kvguard's pending companion (${LONGEST_NAME} characters at most)`);
        expect((await versionsOf(kvguardSecrets(stack), tooLong)).map((v) => v.version)).toEqual([kept]);
      });

      it("shows no secret value in any output, history or status", async () => {
        capture.add("history cli", fixture.outOfProcess ? (await capture.cli(stack, ["history", "--json", "--limit", "500"])).stdout : "");
        await expectNoSecretValues(stack, capture, service);
      });
    });
  }

  // Native rotators (keys, certificates): Key Vault makes the version, so the contract is about versions: one
  // new version per rotation however it is killed, rerun or raced, and nothing written for a hostile policy.
  for (const name of NATIVE.filter((_, i) => (SECRET_COUNT + i) % parts === part)) {
    const fixture = NATIVE_FIXTURES[name]!;

    describe.skipIf(!NATIVE_FIXTURES[name])(`the ${name} native rotator under the contract`, () => {
      let stack: LocalStack;
      let service: RotationService;
      const capture = new Capture();
      const kind = fixture.kind;

      beforeAll(async () => {
        stack = await startLocalStack({ vaults: ["local", RACE_VAULT] });
        service = await appFor(stack, capture, { lockWaitMs: 120_000 }).rotation();
      });
      afterAll(() => stack?.stop());

      /** One new version; one finish in history; no intent left open. */
      async function expectRotatedOnce(object: string, first: string, vault = "local"): Promise<void> {
        const versions = await fixture.versions(stack, object, vault);
        expect(
          versions.filter((v) => v !== first),
          object,
        ).toHaveLength(1);
        const finishes = (await service.history.list({ vault, name: object })).filter((r) => r.step === "finish" && r.outcome === "ok");
        expect(
          finishes.map((r) => r.version),
          object,
        ).toEqual(versions.filter((v) => v !== first));
        expect((await service.status.get(vault, object, kind))?.intent, object).toBeUndefined();
      }

      it("finishes a run killed right after each step, when run again by hand or by the sweep", async () => {
        const cases = fixture.steps.map((step) => ({ step, object: `native-kill-${step}`, first: "" }));
        for (const c of cases) c.first = await fixture.seed(stack, c.object);
        await Promise.all(
          cases.map(async (c) => {
            const killed = await capture.cli(stack, ["rotate", `local/${c.object}`, fixture.flag], { KVGUARD_CRASH_AFTER_STEP: c.step });
            expect(killed.code, `${c.object}: ${killed.stderr}`).toBeNull();
          }),
        );
        // The first step's run by hand; the sweep resumes the others from their recorded intent.
        const [byHand, ...bySweep] = cases;
        const again = await capture.cli(stack, ["rotate", `local/${byHand!.object}`, fixture.flag, "--json"]);
        expect(["rotated", "already-rotated"]).toContain(lastJson<{ outcome: string }>(again.stdout).outcome);
        const swept = await capture.cli(stack, ["sweep", "--json"]);
        expect(swept.code, swept.stderr).toBe(0);
        expect(lastJson<{ resumed: number }>(swept.stdout).resumed).toBe(bySweep.length);
        for (const c of cases) await expectRotatedOnce(c.object, c.first);
      });

      it("makes one new version when triggers come at once", async () => {
        const object = "native-at-once";
        const first = await fixture.seed(stack, object);
        const outcomes = await Promise.all([0, 1, 2].map(() => service.rotateNow("local", object, kind).then((r) => r.outcome)));
        expect(outcomes.sort()).toEqual(["already-rotated", "already-rotated", "rotated"]);
        await expectRotatedOnce(object, first);
      });

      it("makes one new version when two worker processes race on one due object", async () => {
        const object = "native-two-workers";
        const first = await fixture.seed(stack, object, { vault: RACE_VAULT, due: true });
        const only = { KVGUARD_VAULT_URLS: `${RACE_VAULT}=${stack.tv.kv.urls[RACE_VAULT]!}` };
        const runs = await Promise.all([0, 1].map(() => capture.cli(stack, ["sweep", "--json"], only)));
        for (const run of runs) expect(run.code, run.stderr).toBe(0);
        await expectRotatedOnce(object, first, RACE_VAULT);
      });

      it("refuses a hostile policy or name clearly, in one escaped line, and writes nothing", async () => {
        const object = "native-hostile";
        const first = await fixture.seed(stack, object, { tags: { [fixture.hostileTag]: HOSTILE } });
        const result = await service.rotateNow("local", object, kind);
        expect(result.outcome).toBe("invalid-policy");
        expect(result.message).not.toMatch(RAW_CONTROL);
        const run = await capture.cli(stack, ["rotate", `local/${object}`, fixture.flag]);
        expect(run.code).toBe(0);
        expect(run.stdout + run.stderr).not.toMatch(RAW_CONTROL);
        const named = await capture.cli(stack, ["rotate", `local/${HOSTILE}`, fixture.flag]);
        expect(named.code).not.toBe(0);
        expect(named.stdout + named.stderr).not.toMatch(RAW_CONTROL);
        expect(await fixture.versions(stack, object)).toEqual([first]);
        for (const row of await service.history.list({ vault: "local", name: object })) expect(row.message).not.toMatch(RAW_CONTROL);
      });

      it("shows no secret value in any output, history or status", async () => {
        capture.add("history cli", (await capture.cli(stack, ["history", "--json", "--limit", "500"])).stdout);
        // The private halves of every key (a certificate's too); a certificate's secret is among the vault's values.
        for (const vault of stack.tv.kv.vaults.values()) {
          const keys = vault.keys.snapshot();
          for (const entry of [...keys.live, ...keys.deleted]) for (const v of entry.versions) if (v.jwk.d) capture.values.add(v.jwk.d);
        }
        await expectNoSecretValues(stack, capture, service);
      });
    });
  }
}
