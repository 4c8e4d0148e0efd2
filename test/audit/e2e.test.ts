/**
 * @module End to end: real SDK traffic against the local Key Vault over three days of its clock (apps and
 * an operator, then an attack: list-then-get and mass retrieval by an intruder, a denied burst by a
 * prober, a purge), then the built `kvguard audit` over the audit folder the emulator wrote.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/audit/finding.js";
import { devClaims, type DevIdentity } from "../../src/azure/devCredential.js";
import { runCli } from "../helpers/cli.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";

const VAULT = "e2e-audit";
const APP: DevIdentity = { name: "e2e-pay-api" };
const ADMIN: DevIdentity = { name: "e2e-ops", upn: "ops@kvguard.local" };
const INTRUDER: DevIdentity = { name: "e2e-intruder" };
const PROBER: DevIdentity = { name: "e2e-prober" };
const oid = (identity: DevIdentity) => devClaims(identity).oid!;
const SECRETS = Array.from({ length: 14 }, (_, i) => `app-secret-${i}`);

let vault: TestVault;
const auditDir = mkdtempSync(join(tmpdir(), "kvguard-e2e-audit-"));

beforeAll(async () => {
  vault = await startTestVault({ vaults: [VAULT], auditDir });
  const v = vault.kv.vaults.get(VAULT)!;
  vault.kv.setRoleAssignments(v, [
    { principalId: oid(APP), role: "Key Vault Secrets User" },
    { principalId: oid(ADMIN), role: "Key Vault Administrator" },
    { principalId: oid(INTRUDER), role: "Key Vault Secrets User" },
  ]);
  const admin = vault.clients(ADMIN).secrets;
  for (const name of SECRETS) await admin.setSecret(name, `value-of-${name}`);
  // Three days of ordinary work: the app reads its three secrets, the operator lists and reads.
  for (let day = 0; day < 3; day++) {
    const app = vault.clients(APP).secrets;
    for (let round = 0; round < 5; round++) for (const name of SECRETS.slice(0, 3)) await app.getSecret(name);
    const ops = vault.clients(ADMIN).secrets;
    for await (const _ of ops.listPropertiesOfSecrets()) void _;
    await ops.getSecret(SECRETS[3]!);
    vault.kv.clock.advance(day < 2 ? 86_400 : 3600);
  }
  // The attack.
  const intruder = vault.clients(INTRUDER).secrets;
  for await (const _ of intruder.listPropertiesOfSecrets()) void _;
  for (const name of SECRETS.slice(0, 12)) await intruder.getSecret(name);
  const prober = vault.clients(PROBER).secrets;
  for (let i = 0; i < 12; i++) await prober.getSecret(SECRETS[i % 3]!).catch(() => undefined);
  const ops = vault.clients(ADMIN).secrets;
  await (await ops.beginDeleteSecret(SECRETS[13]!, { intervalInMs: 10 })).pollUntilDone();
  await ops.purgeDeletedSecret(SECRETS[13]!);
  await vault.kv.close();
});
afterAll(() => vault?.kv.close());

describe("kvguard audit over the local Key Vault's audit logs", () => {
  let findings: Finding[];
  let stderr: string;

  beforeAll(async () => {
    const result = await runCli(["audit", auditDir, "--format", "json", "--baseline-days", "2"]);
    expect(result.code, result.stderr).toBe(0);
    findings = result.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Finding);
    stderr = result.stderr;
  });

  const by = (detector: string, who: DevIdentity) => findings.filter((f) => f.detector === detector && f.principal.oid === oid(who));

  it("finds the intruder's list-then-get and mass retrieval, first seen on the vault", () => {
    expect(by("credential_access_list_then_get", INTRUDER)).toHaveLength(1);
    expect(by("credential_access_mass_retrieval", INTRUDER)).toHaveLength(1);
    expect(by("credential_access_mass_retrieval", INTRUDER)[0]!.summary).toMatch(/read 1[12] distinct objects/);
    expect(by("initial_access_first_seen_principal", INTRUDER)).toHaveLength(1);
  });

  it("finds the prober's denied burst and the operator's purge", () => {
    const denied = by("discovery_denied_access", PROBER);
    expect(denied).toHaveLength(1);
    expect(denied[0]!.count).toBeGreaterThanOrEqual(10);
    expect(denied[0]!.evidence.length).toBeGreaterThanOrEqual(10);
    const purge = by("impact_destructive_operation", ADMIN).find((f) => f.summary.includes("SecretPurge"));
    expect(purge).toMatchObject({ severity: "high", vault: VAULT, object: `${VAULT}/secrets/${SECRETS[13]}` });
  });

  it("reports nothing about the ordinary app, counts challenges as benign, and says so on stderr", () => {
    expect(findings.filter((f) => f.principal.oid === oid(APP))).toEqual([]);
    expect(stderr).toMatch(/records \(\d+ benign\), 0 malformed/);
    for (const f of findings) expect(JSON.stringify(f)).not.toContain("value-of-");
  });

  it("prints a table by default", async () => {
    const result = await runCli(["audit", auditDir, "--baseline-days", "2"]);
    expect(result.stdout.split("\n")[0]).toMatch(/^SEVERITY\s+DETECTOR\s+VAULT/);
    expect(result.stdout).toContain("credential_access_mass_retrieval");
  });
});
