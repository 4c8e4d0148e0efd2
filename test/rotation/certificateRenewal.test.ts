/**
 * @module kvguard renews the certificates Key Vault will not renew by itself, against the local Key Vault on
 * its movable clock (issuance takes Key Vault's moment here: 30 s of the vault's clock). The sweep and Key
 * Vault's CertificateNearExpiry renew a self-signed or integrated-CA certificate without AutoRenew, and leave
 * one with AutoRenew or an Unknown issuer (imported) alone; `kvguard rotate --certificate` SIGKILLed while Key
 * Vault issues (runCli's killWhen, once the create row is written) or right after its finish (the step hook)
 * reruns to exactly one new version; the renewal's finish row is the
 * export's Kvguard.Certificate.Renewed event.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { CertificatePolicy } from "@azure/keyvault-certificates";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventsOf } from "../../src/export/toEvents.js";
import type { RotationService } from "../../src/rotation/service.js";
import { drainQueue } from "../../src/state/queueWorker.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, expectNoSecretValues, serviceFor, vaultEvent } from "../helpers/rotation.js";

const DAY = 86_400;
/** Key Vault's moment to issue a certificate, on the vault's clock. */
const ISSUE_SECONDS = 30;
let stack: LocalStack;
let service: RotationService;
const capture = new Capture();

const certificates = () => stack.tv.clients({ name: "kvguard" }).certificates;
const warnOnly = [{ action: "EmailContacts" as const, lifetimePercentage: 90 }];

async function versions(name: string): Promise<string[]> {
  const out: string[] = [];
  for await (const v of certificates().listPropertiesOfCertificateVersions(name)) out.push(v.version!);
  return out;
}

/** Creates a certificate and waits (on the vault's clock) for Key Vault to issue it. */
async function create(name: string, policy: CertificatePolicy): Promise<string> {
  const poller = await certificates().beginCreateCertificate(name, policy, { intervalInMs: 100 });
  stack.tv.kv.clock.advance(ISSUE_SECONDS + 1);
  return (await poller.pollUntilDone()).properties.version!;
}

async function runQueue(): Promise<void> {
  await drainQueue(service.queue, (m) => service.processMessage(m.text).then(() => undefined), {
    concurrency: 2,
    visibilityTimeoutSeconds: 60,
    poison: service.poison,
  });
}

function finishes<T extends { step: string; outcome: string }>(rows: T[]): T[] {
  return rows.filter((r) => r.step === "finish" && r.outcome === "ok");
}

beforeAll(async () => {
  stack = await startLocalStack({ lroSeconds: ISSUE_SECONDS });
  service = await serviceFor(stack, capture);
  await certificates().createIssuer("digicert", "DigiCert");
});
afterAll(() => stack.stop());

describe("certificate renewal", () => {
  const first: Record<string, string> = {};

  it("the sweep renews near-expiry certificates Key Vault will not renew, and leaves the others", async () => {
    first["self-tls"] = await create("self-tls", { issuerName: "Self", subject: "CN=self.test", validityInMonths: 2, lifetimeActions: warnOnly });
    first["ca-tls"] = await create("ca-tls", { issuerName: "digicert", subject: "CN=ca.test", validityInMonths: 2, lifetimeActions: warnOnly });
    first["auto-tls"] = await create("auto-tls", {
      issuerName: "Self",
      subject: "CN=auto.test",
      validityInMonths: 2,
      lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 5 }],
    });
    first["far-tls"] = await create("far-tls", { issuerName: "Self", subject: "CN=far.test", validityInMonths: 12, lifetimeActions: warnOnly });
    // An imported certificate: its issuer is Unknown, only a person can renew it.
    await create("source-tls", { issuerName: "Self", subject: "CN=imported.test", validityInMonths: 12, lifetimeActions: warnOnly });
    const pfx = (await stack.tv.clients({ name: "kvguard" }).secrets.getSecret("source-tls")).value!;
    capture.values.add(pfx);
    first["imported-tls"] = (await certificates().importCertificate("imported-tls", Buffer.from(pfx, "base64"))).properties.version!;

    // 40 days on: the two-month certificates expire within Key Vault's 30-day lead.
    stack.tv.kv.clock.advance(40 * DAY);
    const report = await service.sweep();
    expect(report.certificates).toBe(6);
    // Key Vault issues renewals in its moment: the worker waits for it on the vault's clock.
    const ticking = setInterval(() => stack.tv.kv.clock.advance(ISSUE_SECONDS), 200);
    try {
      await runQueue();
    } finally {
      clearInterval(ticking);
    }
    for (const name of ["self-tls", "ca-tls"]) {
      expect(await versions(name), name).toHaveLength(2);
      const rows = await service.history.list({ vault: "local", name });
      expect(finishes(rows).map((r) => r.message)).toEqual([expect.stringMatching(/^renewed the certificate: version \w+ replaces \w+$/)]);
      expect(await service.status.get("local", name, "certificate")).toMatchObject({ kind: "certificate", state: "ok" });
    }
    for (const name of ["auto-tls", "far-tls", "imported-tls", "source-tls"]) expect(await versions(name), name).toHaveLength(1);
  });

  it("on Key Vault's CertificateNearExpiry, leaves an imported certificate as it is and says why", async () => {
    const event = vaultEvent(stack, {
      id: "cert-evt-1",
      name: "imported-tls",
      version: first["imported-tls"]!,
      type: "Microsoft.KeyVault.CertificateNearExpiry",
    });
    expect((await service.acceptEvents(event)).accepted).toBe(1);
    const outcomes: string[] = [];
    await drainQueue(service.queue, (m) => service.processMessage(m.text).then((r) => void outcomes.push(`${r.outcome}: ${r.message}`)), {
      concurrency: 1,
      visibilityTimeoutSeconds: 60,
      poison: service.poison,
    });
    expect(outcomes).toEqual([expect.stringMatching(/^cannot-renew: its issuer is Unknown/)]);
    expect(await versions("imported-tls")).toEqual([first["imported-tls"]]);
    expect(await service.history.list({ vault: "local", name: "imported-tls" })).toEqual([]);
  });

  it("a renewal killed while Key Vault issues, or right after its finish, reruns to exactly one new version", async () => {
    for (const at of ["issuing", "finished"] as const) {
      const name = `killed-${at}-tls`;
      const v1 = await create(name, { issuerName: "Self", subject: `CN=${name}.test`, validityInMonths: 12, lifetimeActions: warnOnly });
      // Killed while Key Vault issues: once the run's create row is written (it then waits on the operation).
      // Killed after the finish: by the step hook, before the run clears its intent.
      let seen = false;
      let watching = true;
      const watch = (async () => {
        while (watching && !seen) {
          const rows = await service.history.list({ vault: "local", name });
          seen = at === "issuing" && rows.some((r) => r.step === "create" && r.outcome === "ok");
          // Key Vault's moment passes only when this test moves the vault's clock.
          if (at === "finished" && rows.some((r) => r.step === "create")) stack.tv.kv.clock.advance(ISSUE_SECONDS + 1);
          await sleep(50);
        }
      })();
      const killed = await capture.cli(
        stack,
        ["rotate", `local/${name}`, "--certificate", "--json"],
        at === "finished" ? { KVGUARD_CRASH_AFTER_STEP: "finish" } : {},
        () => seen,
      );
      watching = false;
      await watch;
      expect(killed.code, `${name}: ${killed.stderr}`).toBeNull();
      expect((await service.status.get("local", name, "certificate"))?.intent, name).toBeDefined();
      if (at === "issuing") {
        // Killed mid-issue: no new version yet, the pending operation still in progress.
        expect(await versions(name)).toEqual([v1]);
        expect((await certificates().getCertificateOperation(name)).getOperationState().certificateOperation?.status).toBe("inProgress");
        stack.tv.kv.clock.advance(ISSUE_SECONDS + 1);
      }
      const again = await capture.cli(stack, ["rotate", `local/${name}`, "--certificate", "--json"]);
      expect(again.code, again.stderr).toBe(0);
      expect((JSON.parse(again.stdout.trim().split("\n").at(-1)!) as { outcome: string }).outcome).toBe("already-rotated");
      const all = await versions(name);
      expect(all, name).toHaveLength(2);
      const rows = await service.history.list({ vault: "local", name });
      expect(
        finishes(rows).map((r) => r.version),
        name,
      ).toEqual(all.filter((v) => v !== v1));
      expect((await service.status.get("local", name, "certificate"))?.intent, name).toBeUndefined();
    }
  });

  it("each renewal is one Kvguard.Certificate.Renewed event", async () => {
    const rows = finishes(await service.history.list({ vault: "local", name: "self-tls" }));
    const [output] = eventsOf({ source: "history", key: "history|renewal", changedMs: 1, row: rows[0]! }, []);
    expect(output && "item" in output ? output.item : output).toMatchObject({
      type: "Kvguard.Certificate.Renewed",
      subject: "local/self-tls",
      data: { vault: "local", name: "self-tls", version: rows[0]!.version, previousVersion: first["self-tls"] },
    });
  });

  it("shows no secret value in any output, history or status", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
