/**
 * @module Crash safety of the rotation protocol, through the built CLI: `kvguard rotate` is SIGKILLed right
 * after each step (create, set, test, finish; KVGUARD_CRASH_AFTER_STEP), then run again, by `kvguard rotate`
 * or by `kvguard sweep` (which resumes open pending credentials). Each time the live latest version holds
 * the pending value (which meets the policy), no pending credential stays open, exactly one new version was
 * made, and history reads as one rotation across the runs. A `kvguard sweep` (the worker's code path)
 * killed mid-job is finished by the next sweep the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotationService } from "../../src/rotation/service.js";
import { pendingRevokes } from "../../src/rotation/status.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, expectNoSecretValues, kvguardSecrets, meetsPolicy, openPendings, PENDING, serviceFor, versionsOf } from "../helpers/rotation.js";
import { DAY_MS } from "../../src/common/duration.js";

const STEPS = ["create", "set", "test", "finish"] as const;
type CrashStep = (typeof STEPS)[number];
const POLICY = { length: 28, classes: ["upper", "lower", "digit"] as ("upper" | "lower" | "digit")[], exclude: "0O1lI" };
const TAGS = { "kvguard-rotator": "random", "kvguard-options": "length=28;classes=upper,lower,digit;exclude=0O1lI", team: "payments" };
/** What the pending companion's step tag says after a kill at each step. */
const PENDING_STEP: Record<CrashStep, string> = { create: "created", set: "set", test: "tested", finish: "tested" };

interface Case {
  step: CrashStep;
  rerun: "rotate" | "sweep";
  name: string;
  initialVersion: string;
  pendingValue?: string;
}

let stack: LocalStack;
let service: RotationService;
const capture = new Capture();
const cases: Case[] = STEPS.flatMap((step) =>
  (["rotate", "sweep"] as const).map((rerun) => ({ step, rerun, name: `crash-${step}-${rerun}`, initialVersion: "" })),
);

/** The sweep killed mid-job works on its own vault, so it does not touch the other cases. */
const SWEPT = { vault: "other", name: "crash-in-sweep", initialVersion: "", pendingValue: "" };

beforeAll(async () => {
  stack = await startLocalStack({ vaults: ["local", SWEPT.vault] });
  service = await serviceFor(stack, capture);
  const secrets = kvguardSecrets(stack);
  await Promise.all(
    cases.map(async (c) => {
      const initial = await secrets.setSecret(c.name, `initial-${c.name}-Zq8v`, { contentType: "text/plain", tags: TAGS });
      capture.values.add(initial.value!);
      c.initialVersion = initial.properties.version!;
    }),
  );
  // Due: Key Vault's expiry is within the default 30 days' lead.
  const swept = await kvguardSecrets(stack, SWEPT.vault).setSecret(SWEPT.name, "initial-crash-in-sweep-Zq8v", {
    tags: TAGS,
    expiresOn: new Date(stack.tv.kv.clock.nowMs() + 5 * DAY_MS),
  });
  SWEPT.initialVersion = swept.properties.version!;
});
afterAll(() => stack.stop());

describe("a rotation killed after each step", () => {
  it("is killed exactly after the step, with its pending credential persisted", async () => {
    const secrets = kvguardSecrets(stack);
    const other = kvguardSecrets(stack, SWEPT.vault);
    await Promise.all([
      // A sweep (the worker's code path) killed while it runs the due secret's job, after "test".
      (async () => {
        const killed = await capture.cli(stack, ["sweep"], {
          KVGUARD_CRASH_AFTER_STEP: "test",
          KVGUARD_VAULT_URLS: `${SWEPT.vault}=${stack.tv.kv.urls[SWEPT.vault]!}`,
        });
        expect(killed.code, killed.stderr).toBeNull();
        const pending = await other.getSecret(`${SWEPT.name}${PENDING}`);
        SWEPT.pendingValue = pending.value!;
        capture.values.add(SWEPT.pendingValue);
        expect(pending.properties.tags).toMatchObject({ "kvguard-state": "open", "kvguard-step": "tested", "kvguard-base-version": SWEPT.initialVersion });
      })(),
      ...cases.map(async (c) => {
        const killed = await capture.cli(stack, ["rotate", `local/${c.name}`], { KVGUARD_CRASH_AFTER_STEP: c.step });
        expect(killed.code, `${c.name}: ${killed.stderr}`).toBeNull();
        const pending = await secrets.getSecret(`${c.name}${PENDING}`);
        expect(pending.properties.tags).toMatchObject({
          "kvguard-state": "open",
          "kvguard-step": PENDING_STEP[c.step],
          "kvguard-base-version": c.initialVersion,
        });
        c.pendingValue = pending.value!;
        capture.values.add(c.pendingValue);
        const live = await secrets.getSecret(c.name);
        // Only a kill after finish has a new live version; before it the live secret is untouched.
        if (c.step === "finish") expect(live.value).toBe(c.pendingValue);
        else expect(live.properties.version).toBe(c.initialVersion);
      }),
    ]);
    expect((await openPendings(secrets)).sort()).toEqual(cases.map((c) => `${c.name}${PENDING}`).sort());
  });

  it("is finished by `kvguard rotate` once the dead run's lock lapses", async () => {
    const reruns = cases.filter((c) => c.rerun === "rotate");
    const results = await Promise.all(reruns.map((c) => capture.cli(stack, ["rotate", `local/${c.name}`, "--json"])));
    for (const [i, c] of reruns.entries()) {
      expect(results[i]!.code, results[i]!.stderr).toBe(0);
      const result = JSON.parse(results[i]!.stdout.trim().split("\n").at(-1)!) as { outcome: string };
      expect(result.outcome).toBe(c.step === "finish" ? "already-rotated" : "rotated");
    }
  });

  it("is finished by `kvguard sweep`, which resumes open pending credentials", async () => {
    const swept = await capture.cli(stack, ["sweep", "--json"]);
    expect(swept.code, swept.stderr).toBe(0);
    const report = JSON.parse(swept.stdout.trim().split("\n").at(-1)!) as { resumed: number };
    // The open pending credentials of the four sweep cases, and the one the killed sweep left.
    expect(report.resumed).toBe(cases.filter((c) => c.rerun === "sweep").length + 1);
  });

  it("a sweep killed mid-job is finished by the next sweep, from Key Vault's state (its queue message is still hidden)", async () => {
    const secrets = kvguardSecrets(stack, SWEPT.vault);
    expect((await secrets.getSecret(SWEPT.name)).value).toBe(SWEPT.pendingValue);
    expect(await versionsOf(secrets, SWEPT.name)).toHaveLength(2);
    expect(await openPendings(secrets)).toEqual([]);
    // One rotation; the second job the sweep found (due, or resuming) is a recorded no-op at most.
    const rows = await service.history.list({ vault: SWEPT.vault, name: SWEPT.name });
    expect(new Set(rows.filter((r) => r.outcome !== "skipped").map((r) => r.rotationId)).size).toBe(1);
    expect(rows.filter((r) => r.step === "finish" && r.valueHmac)).toHaveLength(1);
  });

  it("leaves each secret rotated exactly once, to the pending value, as one rotation in history", async () => {
    const secrets = kvguardSecrets(stack);
    expect(await openPendings(secrets)).toEqual([]);
    for (const c of cases) {
      const live = await secrets.getSecret(c.name);
      expect(live.value, c.name).toBe(c.pendingValue);
      expect(meetsPolicy(live.value!, POLICY), c.name).toBe(true);
      expect((await versionsOf(secrets, c.name)).length, c.name).toBe(2);
      expect(live.properties.contentType).toBe("text/plain");
      expect(live.properties.tags).toMatchObject({ ...TAGS, "kvguard-previous-version": c.initialVersion });
      expect(live.properties.expiresOn!.getTime()).toBeGreaterThan(stack.tv.kv.clock.nowMs() + 89 * DAY_MS);

      const rows = await service.history.list({ vault: "local", name: c.name });
      const ids = new Set(rows.map((r) => r.rotationId));
      expect([...ids], c.name).toHaveLength(1);
      expect(live.properties.tags?.["kvguard-rotation-id"]).toBe([...ids][0]);
      expect(rows.filter((r) => r.outcome === "failed")).toEqual([]);
      // The value history proves: the HMAC recorded at create is the one recorded at finish.
      const created = rows.find((r) => r.step === "create");
      const finished = rows.find((r) => r.step === "finish" && r.version === live.properties.version && r.valueHmac);
      expect(created?.valueHmac).toBeDefined();
      expect(finished?.valueHmac).toBe(created!.valueHmac);

      const status = await service.status.get("local", c.name, "secret");
      expect(status).toMatchObject({ state: "ok", lastVersion: live.properties.version, attempts: 0 });
      // The previous credential awaits revoke after its grace period, even when the crash lost the success.
      expect(pendingRevokes(status).map((r) => r.version)).toEqual([c.initialVersion]);
    }
  });

  it("a further run rotates anew (the closed pending credential is not reused)", async () => {
    const c = cases[0]!;
    const again = await capture.cli(stack, ["rotate", `local/${c.name}`, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    const secrets = kvguardSecrets(stack);
    const live = await secrets.getSecret(c.name);
    capture.values.add(live.value!);
    expect(live.value).not.toBe(c.pendingValue);
    expect((await versionsOf(secrets, c.name)).length).toBe(3);
  });

  it("prints no secret value in any output, history or status", async () => {
    capture.add("history cli", (await capture.cli(stack, ["history", "--json", "--limit", "500"])).stdout);
    capture.add("status cli", (await capture.cli(stack, ["status", "--json"])).stdout);
    await expectNoSecretValues(stack, capture, service);
  });
});
