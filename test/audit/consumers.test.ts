/**
 * @module `kvguard consumers` end to end: several identities read one secret in the local Key Vault through
 * the SDK (the latest version before and after a new one, a pinned old version, another secret, a denied
 * read), then the built CLI reads the vault's audit folder and names who read which version, how often,
 * first and last. A malformed line in the folder is counted, not fatal.
 */
import { appendFileSync, cpSync, mkdtempSync, readdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsumerReport } from "../../src/audit/consumers.js";
import { devClaims, type DevIdentity } from "../../src/azure/devCredential.js";
import { runCli } from "../helpers/cli.js";
import { flushAudit, startTestVault, type TestVault } from "../helpers/localVault.js";

const VAULT = "consumers-kv";
const SECRET = "payments-db";
const ADMIN: DevIdentity = { name: "consumers-ops", upn: "ops@kvguard.local" };
const BILLING: DevIdentity = { name: "billing-api" };
const REPORTS: DevIdentity = { name: "reports-job" };
const ANALYST: DevIdentity = { name: "consumers-analyst", upn: "analyst@kvguard.local" };
const STRANGER: DevIdentity = { name: "consumers-stranger" };
const SIGNER: DevIdentity = { name: "token-signer" };
const KEY = "signing-key";
const oid = (identity: DevIdentity) => devClaims(identity).oid!;

let vault: TestVault;
const auditDir = mkdtempSync(join(tmpdir(), "kvguard-consumers-audit-"));
let v1: string;
let v2: string;
let keyVersion: string;
let lastReadWindow: [number, number];

/** The CLI's settings: only the audit folder is read; the rest just has to be valid (nothing is contacted). */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    KVGUARD_VAULT_URLS: `https://${VAULT}.vault.azure.net`,
    AzureWebJobsStorage: "UseDevelopmentStorage=true",
    KVGUARD_AUDIT_FOLDER: auditDir,
    ...extra,
  };
}

function auditFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith("PT1H.json"))
    .map((f) => join(dir, f));
}

beforeAll(async () => {
  vault = await startTestVault({ vaults: [VAULT], auditDir });
  const kv = vault.kv.vaults.get(VAULT)!;
  vault.kv.setRoleAssignments(kv, [
    { principalId: oid(ADMIN), role: "Key Vault Administrator" },
    { principalId: oid(BILLING), role: "Key Vault Secrets User" },
    { principalId: oid(REPORTS), role: "Key Vault Secrets User" },
    { principalId: oid(ANALYST), role: "Key Vault Secrets User" },
    { principalId: oid(SIGNER), role: "Key Vault Crypto User" },
  ]);
  const admin = vault.clients(ADMIN, VAULT).secrets;
  v1 = (await admin.setSecret(SECRET, "first-value-never-printed")).properties.version!;
  await admin.setSecret("other-secret", "other-value-never-printed");
  const key = await vault.clients(ADMIN, VAULT).keys.createRsaKey(KEY);
  keyVersion = key.properties.version!;
  await vault.clients(SIGNER, VAULT).crypto(key.id!).sign("RS256", createHash("sha256").update("payload").digest());
  const billing = vault.clients(BILLING, VAULT).secrets;
  for (let i = 0; i < 3; i++) await billing.getSecret(SECRET);
  vault.kv.clock.advance(3600);
  v2 = (await admin.setSecret(SECRET, "second-value-never-printed")).properties.version!;
  const reports = vault.clients(REPORTS, VAULT).secrets;
  // A job pinned to the old version, and reading another secret that must not count.
  for (let i = 0; i < 4; i++) await reports.getSecret(SECRET, { version: v1 });
  await reports.getSecret("other-secret");
  await vault.clients(ANALYST, VAULT).secrets.getSecret(SECRET);
  await vault
    .clients(STRANGER, VAULT)
    .secrets.getSecret(SECRET)
    .catch(() => undefined);
  vault.kv.clock.advance(3600);
  const before = vault.kv.clock.nowMs();
  for (let i = 0; i < 2; i++) await billing.getSecret(SECRET);
  lastReadWindow = [before, vault.kv.clock.nowMs()];
  await flushAudit(vault.kv);
});
afterAll(() => vault?.kv.close());

describe("kvguard consumers over the local Key Vault's audit folder", () => {
  let report: ConsumerReport;
  let stdout: string;

  beforeAll(async () => {
    const result = await runCli(["consumers", `${VAULT}/${SECRET}`, "--json"], env());
    expect(result.code, result.stderr).toBe(0);
    stdout = result.stdout;
    report = JSON.parse(stdout) as ConsumerReport;
  });

  const consumer = (who: DevIdentity) => report.consumers.find((c) => c.principal.oid === oid(who));

  it("names who read which version, how often, and when", () => {
    expect(report.target).toEqual({ vault: VAULT, type: "secrets", name: SECRET });
    const billing = consumer(BILLING)!;
    expect(billing).toMatchObject({ reads: 5, lastVersion: v2, principal: { appid: devClaims(BILLING).appid } });
    expect(billing.versions[v1]!.reads).toBe(3);
    expect(billing.versions[v2]!.reads).toBe(2);
    const last = Date.parse(billing.lastRead);
    expect(last).toBeGreaterThanOrEqual(Math.floor(lastReadWindow[0] / 1000) * 1000);
    expect(last).toBeLessThanOrEqual(lastReadWindow[1]);
    expect(Date.parse(billing.firstRead)).toBeLessThan(last - 3_000_000);
    expect(Object.values(billing.ips).reduce((a, b) => a + b, 0)).toBe(5);

    const reports = consumer(REPORTS)!;
    expect(reports).toMatchObject({ reads: 4, lastVersion: v1 });
    expect(Object.keys(reports.versions)).toEqual([v1]);
    expect(consumer(ANALYST)).toMatchObject({ reads: 1, lastVersion: v2, principal: { upn: "analyst@kvguard.local" } });
  });

  it("leaves out writers and denied callers, and most recent reader comes first", () => {
    expect(consumer(ADMIN)).toBeUndefined();
    expect(consumer(STRANGER)).toBeUndefined();
    expect(report.consumers).toHaveLength(3);
    expect(report.consumers[0]!.principal.oid).toBe(oid(BILLING));
  });

  it("never prints a secret value", () => {
    expect(stdout).not.toContain("never-printed");
  });

  it("prints a table by default", async () => {
    const result = await runCli(["consumers", `${VAULT}/${SECRET}`, "--days", "3"], env());
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toContain(`${VAULT}/${SECRET} (secrets): 3 consumers`);
    expect(lines[1]).toMatch(/^PRINCIPAL\s+OID\s+APPID\s+READS/);
    expect(result.stdout).toMatch(new RegExp(`analyst@kvguard.local\\s+${oid(ANALYST)}`));
    expect(result.stdout).toContain(`${v2.slice(0, 8)}:2,${v1.slice(0, 8)}:3`);
  });

  it("counts a malformed line and reports over the rest, exit code 3", async () => {
    const copy = mkdtempSync(join(tmpdir(), "kvguard-consumers-bad-"));
    cpSync(auditDir, copy, { recursive: true });
    appendFileSync(auditFiles(copy)[0]!, '{"time": "not a record"\n');
    const result = await runCli(["consumers", `${VAULT}/${SECRET}`, "--json"], env({ KVGUARD_AUDIT_FOLDER: copy }));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/1 malformed/);
    expect((JSON.parse(result.stdout) as ConsumerReport).consumers).toHaveLength(3);
  });

  it("names the users of a key with --key: gets and cryptographic operations", async () => {
    const result = await runCli(["consumers", `${VAULT}/${KEY}`, "--key", "--json"], env());
    expect(result.code, result.stderr).toBe(0);
    const keyReport = JSON.parse(result.stdout) as ConsumerReport;
    expect(keyReport.consumers.map((c) => c.principal.oid)).toEqual([oid(SIGNER)]);
    expect(keyReport.consumers[0]!.lastVersion).toBe(keyVersion);
    // Without --key the same name is a secret, which no one read.
    expect((await runCli(["consumers", `${VAULT}/${KEY}`], env())).stdout).toContain("0 consumers");
  });

  it("says clearly when no audit source is configured", async () => {
    const { KVGUARD_AUDIT_FOLDER: _, ...rest } = env();
    const result = await runCli(["consumers", `${VAULT}/${SECRET}`], rest);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no audit source is configured");
    expect(result.stdout).toBe("");
  });
});
