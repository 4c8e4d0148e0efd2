/**
 * @module Certificates follow the secrets' retry rules, against the local Key Vault on its movable clock: a
 * renewal Key Vault refuses (an injected 403 on the create) backs off, is resumed by the sweep only after its
 * backoff, and is `failed` after KVGUARD_ROTATION_MAX_ATTEMPTS with one rotation-failed alert (the dedup
 * window keeps the repeats out); a certificate kvguard leaves alone (AutoRenew, issuer Unknown) inside the
 * renewal lead gets one job per version, not one per sweep.
 */
import type { CertificatePolicy } from "@azure/keyvault-certificates";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RotationService } from "../../src/rotation/service.js";
import { drainQueue } from "../../src/state/queueWorker.js";
import { startTeamsReceiver, type TeamsReceiver } from "../alerts/helpers/teamsReceiver.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, serviceFor } from "../helpers/rotation.js";
import { admin } from "../helpers/webhookReceiver.js";

const DAY = 86_400;
const ISSUE_SECONDS = 30;
const MAX_ATTEMPTS = 3;
let stack: LocalStack;
let teams: TeamsReceiver;
let service: RotationService;
const capture = new Capture();

const certificates = () => stack.tv.clients({ name: "kvguard" }).certificates;
const warnOnly = [{ action: "EmailContacts" as const, lifetimePercentage: 90 }];

async function create(name: string, policy: CertificatePolicy): Promise<string> {
  const poller = await certificates().beginCreateCertificate(name, policy, { intervalInMs: 100 });
  stack.tv.kv.clock.advance(ISSUE_SECONDS + 1);
  return (await poller.pollUntilDone()).properties.version!;
}

/** One sweep and its jobs: each job's name, trigger and outcome (or its error). */
async function sweepAndRun(): Promise<string[]> {
  await service.sweep();
  const ran: string[] = [];
  await drainQueue(
    service.queue,
    async (m) => {
      const job = JSON.parse(m.text) as { name: string; trigger: string };
      const outcome = await service.processMessage(m.text).then(
        (r) => r.outcome,
        (error: unknown) => `error: ${(error as Error).message}`,
      );
      ran.push(`${job.name} ${job.trigger} ${outcome}`);
    },
    { concurrency: 1, visibilityTimeoutSeconds: 60, poison: service.poison },
  );
  return ran.sort();
}

beforeAll(async () => {
  teams = await startTeamsReceiver();
  stack = await startLocalStack({
    lroSeconds: ISSUE_SECONDS,
    settings: {
      KVGUARD_ROTATION_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      KVGUARD_ALERT_RULES: JSON.stringify({ channels: { ops: { type: "teams" } }, routes: [{ kinds: ["rotation-failed"], channels: ["ops"] }] }),
      KVGUARD_ALERT_TEAMS_WEBHOOKS: `ops=${teams.url}`,
    },
  });
  service = await serviceFor(stack, capture);
});
afterAll(async () => {
  await stack?.stop();
  await teams?.close();
});

describe("native jobs on the sweep", () => {
  it("a certificate kvguard leaves alone inside the renewal lead gets one job per version", async () => {
    await create("auto-tls", {
      issuerName: "Self",
      subject: "CN=auto.test",
      validityInMonths: 2,
      lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 5 }],
    });
    const pfx = Buffer.from((await stack.tv.clients({ name: "kvguard" }).secrets.getSecret("auto-tls")).value!, "base64");
    capture.values.add(pfx.toString("base64"));
    const imported = (await certificates().importCertificate("imported-tls", pfx)).properties.version!;
    stack.tv.kv.clock.advance(40 * DAY);

    expect(await sweepAndRun()).toEqual(["auto-tls schedule not-due", "imported-tls schedule cannot-renew"]);
    const decided = await service.status.get("local", "imported-tls", "certificate");
    expect(decided).toMatchObject({ kind: "certificate", state: "ok", lastVersion: imported });
    expect(JSON.parse(decided!.decided!)).toMatchObject({ outcome: "cannot-renew", version: imported });
    // Later sweeps (an hour apart) leave both alone: nothing changed since the decision.
    for (let i = 0; i < 3; i++) {
      stack.tv.kv.clock.advance(3_600);
      expect(await sweepAndRun()).toEqual([]);
    }
    // A new version is decided again, once.
    const second = (await certificates().importCertificate("imported-tls", pfx)).properties.version!;
    expect(second).not.toBe(imported);
    expect(await sweepAndRun()).toEqual(["imported-tls schedule cannot-renew"]);
    expect(await sweepAndRun()).toEqual([]);
    // On demand still runs (and still says why not).
    await expect(service.rotateNow("local", "imported-tls", "certificate")).resolves.toMatchObject({ outcome: "cannot-renew" });
    expect(teams.delivered()).toEqual([]);
  });

  it("a renewal Key Vault refuses backs off and is failed after the maximum attempts, with one alert", async () => {
    await create("refused-tls", { issuerName: "Self", subject: "CN=refused.test", validityInMonths: 2, lifetimeActions: warnOnly });
    const v1 = (await certificates().getCertificate("refused-tls")).properties.version!;
    stack.tv.kv.clock.advance(40 * DAY);
    const fault = await admin(stack.tv.kv, "POST", "/management/faults", { status: 403, count: 100, match: "POST /certificates/refused-tls/create" });
    expect(fault.status).toBeLessThan(300);

    // The certificates of the test before are looked at again after a day: only this one's jobs count here.
    const refusedJobs = async () => (await sweepAndRun()).filter((job) => job.startsWith("refused-tls "));
    const refused = /^refused-tls (schedule|resume) error: .*forbidden/i;
    expect(await refusedJobs()).toEqual([expect.stringMatching(refused)]);
    let status = await service.status.get("local", "refused-tls", "certificate");
    expect(status).toMatchObject({ state: "failing", attempts: 1 });
    const firstWait = Date.parse(status!.nextAttemptAt!) - stack.tv.kv.clock.nowMs();
    expect(firstWait).toBeGreaterThan(0);
    // Inside the backoff the sweep leaves it alone, though its intent is open.
    expect((await service.sweep()).backingOff).toBe(1);
    expect(await refusedJobs()).toEqual([]);

    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      stack.tv.kv.clock.advance(Math.ceil((Date.parse(status!.nextAttemptAt!) - stack.tv.kv.clock.nowMs()) / 1000) + 1);
      expect(await refusedJobs()).toEqual([expect.stringMatching(/^refused-tls resume error: .*forbidden/i)]);
      status = await service.status.get("local", "refused-tls", "certificate");
      expect(status).toMatchObject({ state: attempt === MAX_ATTEMPTS ? "failed" : "failing", attempts: attempt });
    }
    // Backoff grows, and failed waits its cool-down.
    stack.tv.kv.clock.advance(3_600);
    expect(await refusedJobs()).toEqual([]);
    expect(Date.parse(status!.nextAttemptAt!) - stack.tv.kv.clock.nowMs()).toBeGreaterThan(firstWait);

    const creates = (await service.history.list({ vault: "local", name: "refused-tls" })).filter((r) => r.step === "create");
    expect(creates.map((r) => r.outcome)).toEqual(Array(MAX_ATTEMPTS).fill("failed"));
    expect((await certificates().getCertificate("refused-tls")).properties.version).toBe(v1);
    const cards = teams.delivered().map((card) => JSON.stringify(card));
    expect(cards).toHaveLength(1);
    expect(cards[0]).toContain("refused-tls");
    await admin(stack.tv.kv, "DELETE", "/management/faults");
  });
});
