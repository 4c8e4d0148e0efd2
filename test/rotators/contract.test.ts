/**
 * @module The rotator contract: one suite run over every registered rotator (each with its target from
 * contract/fixtures.ts), against the local stack through the rotation service and the built CLI. A rotation
 * stopped right after each step (create, set, test, finish) is finished by the rerun; triggers at once, and
 * two `kvguard rotate` processes racing on one secret (as two scaled-out instances would), make exactly one new
 * version; hostile tags get a clear refusal in one escaped line and leave the secret as it was; the live value
 * works at the target after every rotation; and no secret value appears in any output, history or status.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotationService } from "../../src/rotation/service.js";
import { rotatorNames } from "../../src/rotators/registry.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { needs } from "../helpers/machineServices.js";
import { appFor, Capture, expectNoSecretValues, kvguardSecrets, openPendings, versionsOf } from "../helpers/rotation.js";
import { FIXTURES, type ContractTarget } from "./contract/fixtures.js";

const STEPS = ["create", "set", "test", "finish"] as const;
/** What a log line or CLI output may never carry raw: ESC, CR, a line or paragraph separator, a bidi override. */
const RAW_CONTROL = /[\u001b\r\u2028\u2029\u202a-\u202e]/;
const HOSTILE = "x\n\u001b[31m\u202e'; DROP ROLE postgres; --\r";
/** The registry as the product has it (the fixtures register test doubles while they start). */
const REGISTERED = rotatorNames();

describe("the rotator contract", () => {
  it("has a fixture for every registered rotator", () => {
    expect(REGISTERED.filter((name) => !FIXTURES[name])).toEqual([]);
  });
});

for (const name of REGISTERED) {
  const fixture = FIXTURES[name];
  if (!fixture) continue;
  const describeFor = fixture.needs ? needs(fixture.needs).describe : describe;

  describeFor(`the ${name} rotator under the contract`, () => {
    let stack: LocalStack;
    let target: ContractTarget;
    let service: RotationService;
    const capture = new Capture();

    beforeAll(async () => {
      stack = await startLocalStack();
      target = await fixture.start(stack);
      service = await appFor(stack, capture, { lockWaitMs: 120_000 }).rotation();
    });
    afterAll(async () => {
      await target?.stop();
      await stack?.stop();
    });

    /** Seeds a credential at the target and its secret; returns the secret's first version. */
    async function seed(secret: string, extraTags: Record<string, string> = {}): Promise<string> {
      const seeded = await target.seed(secret);
      capture.values.add(seeded.value);
      const set = await kvguardSecrets(stack).setSecret(secret, seeded.value, {
        tags: { ...seeded.tags, ...extraTags },
        ...(seeded.contentType ? { contentType: seeded.contentType } : {}),
      });
      return set.properties.version!;
    }

    /** One new version, holding a value that works at the target; nothing left open. */
    async function expectRotatedOnce(secret: string, firstVersion: string): Promise<void> {
      const secrets = kvguardSecrets(stack);
      const versions = await versionsOf(secrets, secret);
      expect(versions.map((v) => v.version).filter((v) => v !== firstVersion), secret).toHaveLength(1);
      const live = await secrets.getSecret(secret);
      capture.values.add(live.value!);
      expect(await target.works(secret, live.value!), `${secret}: the live value works at the target`).toBe(true);
      expect((await openPendings(secrets)).filter((p) => p.startsWith(secret)), secret).toEqual([]);
    }

    it("finishes a rotation stopped right after each step, when run again", async () => {
      for (const step of STEPS) {
        const secret = `contract-stop-${step}`;
        const first = await seed(secret);
        const stopping = await appFor(stack, capture, {
          afterStep: (done, job) => {
            if (job.name === secret && done === step) throw new Error(`stopped after ${step}`);
          },
        }).rotation();
        await expect(stopping.rotateNow("local", secret)).rejects.toThrow(`stopped after ${step}`);
        const pending = await kvguardSecrets(stack).getSecret(`${secret}--kvguard-pending`);
        capture.values.add(pending.value!);
        expect(pending.properties.tags?.["kvguard-state"], secret).toBe("open");
        expect((await service.rotateNow("local", secret)).outcome, secret).toBe(step === "finish" ? "already-rotated" : "rotated");
        await expectRotatedOnce(secret, first);
      }
    });

    it("makes one new version when triggers come at once", async () => {
      const secret = "contract-at-once";
      const first = await seed(secret);
      const outcomes = await Promise.all([0, 1, 2].map(() => service.rotateNow("local", secret).then((r) => r.outcome)));
      expect(outcomes.sort()).toEqual(["already-rotated", "already-rotated", "rotated"]);
      await expectRotatedOnce(secret, first);
    });

    it.skipIf(!fixture.outOfProcess)("makes one new version when two worker processes race on one secret", async () => {
      const secret = "contract-two-processes";
      const first = await seed(secret);
      const runs = await Promise.all([0, 1].map(() => capture.cli(stack, ["rotate", `local/${secret}`, "--json"])));
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      const outcomes = runs.map((run) => (JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { outcome: string }).outcome);
      expect(outcomes.sort()).toEqual(["already-rotated", "rotated"]);
      await expectRotatedOnce(secret, first);
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
      expect(outcome).toContain(name === "sqlserver" ? "sqlserver-contract" : name);
      if (fixture.outOfProcess) {
        const run = await capture.cli(stack, ["rotate", `local/${secret}`]);
        expect(run.code).not.toBeNull();
        expect(run.stdout + run.stderr).not.toMatch(RAW_CONTROL);
      }
      const secrets = kvguardSecrets(stack);
      expect((await versionsOf(secrets, secret)).map((v) => v.version)).toEqual([first]);
      expect(await openPendings(secrets)).toEqual([]);
      const history = await service.history.list({ vault: "local", name: secret });
      for (const row of history) expect(row.message).not.toMatch(/[\u001b\u202e]/);
    });

    it("rotates a secret with the longest name Key Vault allows", async () => {
      const secret = `contract-long-${"n".repeat(127 - "contract-long-".length)}`;
      const first = await seed(secret);
      expect((await service.rotateNow("local", secret)).outcome).toBe("rotated");
      await expectRotatedOnce(secret, first);
    });

    it("shows no secret value in any output, history or status", async () => {
      capture.add("history cli", fixture.outOfProcess ? (await capture.cli(stack, ["history", "--json", "--limit", "500"])).stdout : "");
      await expectNoSecretValues(stack, capture, service);
    });
  });
}
