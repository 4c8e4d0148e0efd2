/**
 * @module `kvguard plan` through the built CLI against a local stack: each object's next rotation, expiry or
 * revoke with its reason, problems (an invalid policy, a failed rotation) first, the horizon respected, and
 * no secret value in the output.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CertificatePolicy } from "@azure/keyvault-certificates";
import type { Plan } from "../../src/plan/plan.js";
import { certificateClient } from "../helpers/certificates.js";
import { localDatabases } from "../helpers/operator.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import type { RotationService } from "../../src/rotation/service.js";
import { Capture, expectNoSecretValues, kvguardSecrets, serviceFor } from "../helpers/rotation.js";
import { DAY_MS } from "../../src/common/duration.js";

let stack: LocalStack;
let service: RotationService;
const capture = new Capture();

beforeAll(async () => {
  stack = await startLocalStack({ policy: localDatabases(["mysql"]), settings: { KVGUARD_ROTATION_MAX_ATTEMPTS: "1" } });
  const secrets = kvguardSecrets(stack);
  const now = stack.tv.kv.clock.nowMs();
  const random = { "kvguard-rotator": "random" };
  await secrets.setSecret("weekly", "weekly-value-Qx81", { tags: { ...random, "kvguard-rotate-every": "P7D" } });
  await secrets.setSecret("near-expiry", "near-value-Lm20", { tags: random, expiresOn: new Date(now + 40 * DAY_MS) });
  await secrets.setSecret("far-expiry", "far-value-Zt55", { tags: random, expiresOn: new Date(now + 200 * DAY_MS) });
  await secrets.setSecret("unmanaged", "unmanaged-value-Hw02", { expiresOn: new Date(now + 5 * DAY_MS) });
  await secrets.setSecret("forever", "forever-value-Pq17");
  await secrets.setSecret("broken", "broken-value-Rf38", { tags: { "kvguard-rotator": "no-such-rotator" } });
  await secrets.setSecret("unreachable-db", "unreachable-Vb73", {
    tags: { "kvguard-rotator": "mysql", CredentialId: "app", ProviderAddress: "127.0.0.1:1", "kvguard-options": "connectTimeout=2" },
  });
  await secrets.setSecret("rotated", "rotated-value-Ck64", { tags: random });
  await stack.tv.clients({ name: "kvguard" }).keys.createKey("signing", "RSA", { tags: { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P20D" } });
  // Key Vault renews tls-renewing itself 10 days before it expires; tls-notify only mails, so kvguard renews it
  // (issuer Self, no AutoRenew) 30 days before it expires, its rotator's default.
  const certificates = certificateClient(stack.tv, { name: "kvguard" });
  const policy = (lifetimeActions: CertificatePolicy["lifetimeActions"]) => ({
    issuerName: "Self",
    subject: "CN=plan.example",
    validityInMonths: 1,
    lifetimeActions,
  });
  await (await certificates.beginCreateCertificate("tls-renewing", policy([{ action: "AutoRenew", daysBeforeExpiry: 10 }]))).pollUntilDone();
  await (await certificates.beginCreateCertificate("tls-notify", policy([{ action: "EmailContacts", lifetimePercentage: 80 }]))).pollUntilDone();
  service = await serviceFor(stack, capture);
  await service.rotateNow("local", "rotated");
  await expect(service.rotateNow("local", "unreachable-db")).rejects.toThrow();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function plan(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const result = await capture.cli(stack, ["plan", ...args]);
  expect(result.stderr).toBe("");
  return result;
}

describe("kvguard plan", () => {
  it("lists what rotates, expires and is revoked in the next 30 days, with why, problems first", async () => {
    const { code, stdout } = await plan(["--json"]);
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as Plan;
    expect(result.days).toBe(30);
    const vault = result.vaults.find((v) => v.vault === "local")!;
    expect(vault.problems.map((p) => [p.name, p.problem])).toEqual(
      expect.arrayContaining([
        ["broken", "invalid-policy"],
        ["unreachable-db", "failed"],
      ]),
    );
    expect(vault.problems.find((p) => p.name === "broken")!.message).toContain('unknown rotator "no-such-rotator"');
    const byName = new Map(vault.items.map((i) => [`${i.name}|${i.action}`, i]));
    const now = Date.parse(result.generatedAt);
    const at = (key: string) => (Date.parse(byName.get(key)!.at) - now) / DAY_MS;
    expect(byName.get("weekly|rotate")!.why).toContain("policy: rotate every 7 days");
    expect(at("weekly|rotate")).toBeCloseTo(7, 1);
    expect(byName.get("near-expiry|rotate")!.why).toContain("30 days before it expires");
    expect(at("near-expiry|rotate")).toBeCloseTo(10, 1);
    expect(byName.get("unmanaged|expire")!.why).toBe("expiry; no rotation policy");
    expect(byName.get("rotated|revoke")!.why).toContain("grace period of the previous credential");
    expect(at("rotated|revoke")).toBeCloseTo(1, 1);
    expect(byName.get("signing|rotate")).toMatchObject({ kind: "key" });
    expect(at("signing|rotate")).toBeCloseTo(20, 1);
    // Certificates: Key Vault's renewal, or the expiry; their own secret and key are not listed apart.
    const renewing = byName.get("tls-renewing|renew")!;
    expect(renewing).toMatchObject({ kind: "certificate", why: expect.stringContaining("Key Vault's AutoRenew 10 days before it expires") as string });
    const renewingExpiry = Date.parse(/expires at (\S+)$/.exec(renewing.why)![1]!);
    expect(Date.parse(renewing.at)).toBe(renewingExpiry - 10 * DAY_MS);
    expect(vault.items.filter((i) => i.name.startsWith("tls-") && i.kind !== "certificate")).toEqual([]);
    // Beyond the horizon, nothing due, or kvguard's own companions: not listed.
    for (const absent of ["far-expiry", "forever", "kvguard-history-hmac"])
      expect(
        vault.items.some((i) => i.name === absent),
        absent,
      ).toBe(false);
    expect(vault.items.some((i) => i.name.endsWith("--kvguard-pending"))).toBe(false);
  });

  it("--days widens the horizon; the table puts problems before the schedule", async () => {
    const wide = JSON.parse((await plan(["--days", "365", "--json"])).stdout) as Plan;
    expect(wide.vaults[0]!.items.map((i) => i.name)).toContain("far-expiry");
    const notify = wide.vaults[0]!.items.find((i) => i.name === "tls-notify");
    expect(notify).toMatchObject({ kind: "certificate", action: "renew" });
    expect(notify!.why).toMatch(/^kvguard renews it from its policy before it expires at /);
    const expires = Date.parse(/expires at (\S+) /.exec(notify!.why)![1]!);
    expect(Date.parse(notify!.at)).toBeLessThanOrEqual(expires - 30 * DAY_MS);
    const { stdout } = await plan(["--days", "3"]);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^plan for the 3 days from /);
    const firstProblem = lines.findIndex((l) => l.startsWith("  ! "));
    const firstItem = lines.findIndex((l) => /^ {2}\d{4}-/.test(l));
    expect(firstProblem).toBeGreaterThan(0);
    expect(firstItem).toBeGreaterThan(firstProblem);
    expect(stdout).not.toContain("weekly");
  });

  it("refuses a horizon that is not a whole number of days", async () => {
    const result = await capture.cli(stack, ["plan", "--days", "abc"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--days takes a whole number of days");
  });

  it("prints no secret value", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
