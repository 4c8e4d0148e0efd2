/**
 * Staged expiry notices through the rotation sweep, on the local Key Vault's clock: a secret and a key with no
 * policy and an imported (`Unknown`-issuer) certificate are announced once per stage as the vault's clock
 * moves, never again on the next sweep or from a restarted kvguard; what kvguard rotates is never announced;
 * the routes send each notice where the rules say; the certificate's CSR is prepared once even when sweeps run
 * at once; no notice carries a value.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificateClient } from "@azure/keyvault-certificates";
import { pendingOperation } from "../../src/notices/csr.js";
import { startTeamsReceiver, type TeamsReceiver } from "../alerts/helpers/teamsReceiver.js";
import { certificateClient, openssl, opensslPfx, scratch } from "../helpers/certificates.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, kvguardSecrets, serviceFor } from "../helpers/rotation.js";

const DAY_MS = 86_400_000;
let stack: LocalStack;
let ops: TeamsReceiver;
let oncall: TeamsReceiver;
let certificates: CertificateClient;
let startMs: number;
const values: string[] = [];
const capture = new Capture();

const titles = (receiver: TeamsReceiver) => receiver.delivered().map((card) => cardTitle(card));
function cardTitle(card: Record<string, unknown>): string {
  return JSON.stringify(card).match(/"text":"([^"]*(?:expires|has expired)[^"]*)"/)?.[1] ?? JSON.stringify(card).slice(0, 200);
}

/** Moves the vault's clock to `days` before the objects' common expiry. */
function toDaysLeft(days: number): void {
  const target = startMs + 40 * DAY_MS - days * DAY_MS;
  stack.tv.kv.clock.advance((target - stack.tv.kv.clock.nowMs()) / 1000);
}

beforeAll(async () => {
  [ops, oncall] = await Promise.all([startTeamsReceiver(), startTeamsReceiver()]);
  const channel = { type: "teams", rateLimit: { max: 1000, perMinutes: 1 } };
  stack = await startLocalStack({
    policy: { certificates: [{ match: { name: "partner-*" }, prepareCsr: true }] },
    settings: {
      KVGUARD_ALERT_RULES: JSON.stringify({
        channels: { ops: channel, oncall: channel },
        routes: [
          { kinds: ["expiry-notice"], channels: ["ops"] },
          { kinds: ["expiry-notice"], minSeverity: "high", channels: ["oncall"] },
        ],
      }),
      KVGUARD_ALERT_TEAMS_WEBHOOKS: `ops=${ops.url},oncall=${oncall.url}`,
    },
  });
  startMs = stack.tv.kv.clock.nowMs();
  const expiresOn = new Date(startMs + 40 * DAY_MS);
  const secrets = kvguardSecrets(stack);
  values.push("vendor-value-Qx81", "rotated-value-Jk27");
  await secrets.setSecret("vendor-api-key", values[0]!, { expiresOn });
  await secrets.setSecret("rotated-token", values[1]!, { expiresOn, tags: { "kvguard-rotator": "random" } });
  const keys = stack.tv.clients({ name: "kvguard" }).keys;
  await keys.createRsaKey("archive-key", { expiresOn });
  // A policy, but its next rotation (90 days after creation) falls after the expiry.
  await keys.createRsaKey("quarterly-key", { expiresOn, tags: { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P90D" } });
  // Signed outside the vault for 40 days and imported: its policy's issuer is Unknown.
  const dir = scratch();
  const pfx = opensslPfx(dir, ["-newkey", "rsa:2048"], "/CN=partner.kvguard.localhost", ["-passout", "pass:"], 40);
  values.push(pfx.keyPem.split("\n").slice(1, 3).join(""));
  certificates = certificateClient(stack.tv, { name: "kvguard" });
  await certificates.importCertificate("partner-tls", pfx.pfx);
  const imported = await certificates.getCertificate("partner-tls");
  // The certificate's expiry is OpenSSL's (machine time); the others follow it within seconds.
  expect(Math.abs(imported.properties.expiresOn!.getTime() - expiresOn.getTime())).toBeLessThan(DAY_MS);
});
afterAll(async () => {
  await stack?.stop();
  await Promise.all([ops?.close(), oncall?.close()]);
});

describe("expiry notices", () => {
  it("say nothing while every object is farther than the first stage", async () => {
    const service = await serviceFor(stack, capture);
    const report = await service.sweep();
    expect(report.errors).toEqual([]);
    expect(report.notices).toBe(0);
    expect(ops.delivered()).toHaveLength(0);
  });

  it("announce each stage once as the vault's clock moves, whether sweeps run at once or kvguard restarts", async () => {
    toDaysLeft(29.5);
    // Two kvguards sweep at once: each notice goes out once, and the certificate gets one pending CSR.
    const [a, b] = await Promise.all([serviceFor(stack, capture), serviceFor(stack, capture)]);
    const reports = await Promise.all([a.sweep(), b.sweep(), a.sweep()]);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(reports.reduce((n, r) => n + (r.notices ?? 0), 0)).toBe(4);
    expect(titles(ops).sort()).toEqual([
      "local/certificates/partner-tls expires in 29 days and nothing will renew it",
      "local/keys/archive-key expires in 29 days and nothing will renew it",
      "local/keys/quarterly-key expires in 29 days and nothing will renew it",
      "local/vendor-api-key expires in 29 days and nothing will renew it",
    ]);
    expect(JSON.stringify(ops.delivered().find((c) => JSON.stringify(c).includes("quarterly-key")))).toContain("falls after its expiry");
    expect(oncall.delivered()).toHaveLength(0);
    const op = await pendingOperation(certificates, "partner-tls");
    expect(op?.status).toBe("inProgress");
    expect(op?.csr?.length).toBeGreaterThan(100);
    const card = JSON.stringify(ops.delivered().find((c) => JSON.stringify(c).includes("partner-tls")));
    expect(card).toContain("A CSR is ready");
    expect(card).toContain("kvguard csr local/partner-tls");

    // The next sweep, and a restarted kvguard, find every stage reached already announced.
    expect((await a.sweep()).notices).toBe(0);
    expect((await (await serviceFor(stack, capture)).sweep()).notices).toBe(0);
    expect(ops.delivered()).toHaveLength(4);

    // Low from 14 days, medium under 14, high under 7 and once expired: only high goes to oncall too.
    for (const [days, expected, oncallTotal] of [
      [13.5, 8, 0],
      [6.5, 12, 4],
      [0.5, 16, 8],
      [-1, 20, 12],
    ] as const) {
      toDaysLeft(days);
      const service = await serviceFor(stack, capture);
      expect((await service.sweep()).notices, `${days} days left`).toBe(4);
      expect((await service.sweep()).notices).toBe(0);
      expect(ops.delivered(), `${days} days left`).toHaveLength(expected);
      expect(oncall.delivered(), `${days} days left`).toHaveLength(oncallTotal);
    }
    expect(
      titles(ops)
        .filter((t) => t.includes("has expired"))
        .sort(),
    ).toEqual([
      "local/certificates/partner-tls has expired and nothing renewed it",
      "local/keys/archive-key has expired and nothing renewed it",
      "local/keys/quarterly-key has expired and nothing renewed it",
      "local/vendor-api-key has expired and nothing renewed it",
    ]);
    // Still the one pending operation kvguard made at the first stage.
    expect((await pendingOperation(certificates, "partner-tls"))?.requestId).toBe(op?.requestId);
    expect(titles(ops).some((t) => t.includes("rotated-token"))).toBe(false);
  });

  it("kvguard csr prints the pending CSR, which OpenSSL verifies and reads as the certificate's subject", async () => {
    const result = await capture.cli(stack, ["csr", "local/partner-tls"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    const dir = scratch();
    writeFileSync(join(dir, "req.pem"), result.stdout);
    const text = openssl(dir, ["req", "-in", "req.pem", "-verify", "-noout", "-subject"]).toString("utf8");
    expect(text).toContain("CN = partner.kvguard.localhost");
    const none = await capture.cli(stack, ["csr", "local/vendor-api-key"]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain("no pending operation holds a CSR");
  });

  it("put no value in any notice", () => {
    const sent = JSON.stringify([...ops.received, ...oncall.received]);
    for (const value of values) expect(sent).not.toContain(value);
    expect(sent).not.toContain("PRIVATE KEY");
  });
});
