/**
 * `kvguard doctor` as a child process against the local stack (local Key Vault with RBAC, Azurite, the Log
 * Analytics fake, the local alert catchers): a healthy environment passes every check; each failure
 * names its fix: the exact role and scope when a vault refuses (the local Key Vault enforces RBAC once a
 * vault has role assignments), the storage setting when the state account is unreachable, the setting
 * when one is wrong.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalAlerts, type LocalAlerts } from "../../dev/alerts/localAlerts.js";
import { devClaims } from "../../src/azure/devCredential.js";
import { DEFAULT_LOCAL_IDENTITY } from "../../src/config/schema.js";
import type { CheckResult } from "../../src/doctor/check.js";
import type { DoctorReport } from "../../src/doctor/report.js";
import { runCli } from "../helpers/cli.js";
import { httpsRequest } from "../helpers/https.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { startLogAnalyticsFake, type LogAnalyticsFake } from "../helpers/logAnalyticsFake.js";

let stack: LocalStack;
let logs: LogAnalyticsFake;
let alerts: LocalAlerts;
let dir: string;
const WORKSPACE = "63613592-b6f7-4c3d-a390-22ba13102111";
const KVGUARD_OID = devClaims({ name: DEFAULT_LOCAL_IDENTITY }).oid!;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kvguard-doctor-"));
  [stack, logs, alerts] = await Promise.all([
    startLocalStack({
      // secrets-kv is hidden from kvguard in ARM: only someone else may read it there.
      vaults: ["open-kv", "reader-kv", { name: "secrets-kv", managementAccess: [{ principalId: devClaims({ name: "someone-else" }).oid!, role: "Reader" }] }],
    }),
    startLogAnalyticsFake({
      workspaces: {
        [WORKSPACE]: {
          AZKVAuditLogs: { columns: [{ name: "TimeGenerated", type: "datetime" }], rows: [[new Date(Date.now() - 3600_000).toISOString()]] },
        },
      },
    }),
    startLocalAlerts({ outDir: join(dir, "alerts"), print: () => undefined }),
  ]);
  await writeFile(join(dir, "logs-ca.pem"), logs.ca);
  // reader-kv lets kvguard list and nothing more; secrets-kv lets it rotate secrets but not keys.
  // An audit archive in the app's own storage, as a diagnostic setting writes it.
  const archive = BlobServiceClient.fromConnectionString(stack.env.AzureWebJobsStorage!).getContainerClient("insights-logs-auditevent");
  await archive.createIfNotExists();
  await archive
    .getBlockBlobClient(`resourceId=/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/OPEN-KV/y=2026/m=01/d=01/h=00/m=00/PT1H.json`)
    .upload("{}\n", 3);
  await assign("reader-kv", "Key Vault Reader");
  await assign("secrets-kv", "Key Vault Secrets Officer");
});

afterAll(async () => {
  await Promise.all([stack?.stop(), logs?.close(), alerts?.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function assign(vault: string, role: string): Promise<void> {
  const res = await httpsRequest(`${stack.tv.kv.urls[vault]}/management/vaults/${vault}/roleAssignments`, {
    method: "PUT",
    ca: stack.tv.kv.tls.caPem,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify([{ principalId: KVGUARD_OID, role }]),
  });
  expect(res.status).toBe(200);
}

/** The resource id of a local vault, as the emulator's admin API lists it. */
async function resourceId(vault: string): Promise<string> {
  const res = await httpsRequest(`${stack.tv.kv.urls[vault]}/management/vaults`, { ca: stack.tv.kv.tls.caPem });
  return (res.json() as { name: string; resourceId: string }[]).find((v) => v.name === vault)!.resourceId;
}

async function doctor(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; report: DoctorReport; stdout: string }> {
  const { code, stdout, stderr } = await runCli(["doctor", "--format", "json", ...args], { PATH: process.env.PATH, ...env });
  expect(stderr).toBe("");
  return { code, report: JSON.parse(stdout) as DoctorReport, stdout };
}

const check = (report: DoctorReport, name: string): CheckResult => {
  const found = report.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check ${name} in ${report.checks.map((c) => c.name).join(", ")}`);
  return found;
};

/** Settings of one vault of the stack, as a deployment of that vault alone would have. */
function only(vault: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...stack.env, KVGUARD_VAULT_URLS: `${vault}=${stack.tv.kv.urls[vault]}`, ...extra };
}

describe("kvguard doctor", () => {
  it("passes every check of a healthy environment, the workspace, the archive and a test alert to every channel included", async () => {
    const env = only("open-kv", {
      KVGUARD_AUDIT_WORKSPACE_IDS: WORKSPACE,
      KVGUARD_AUDIT_LOGS_ENDPOINT: logs.endpoint,
      KVGUARD_AUDIT_ARCHIVE_ACCOUNT: "AzureWebJobsStorage",
      NODE_EXTRA_CA_CERTS: join(dir, "logs-ca.pem"),
      ...alerts.settings,
    });
    const { code, report, stdout } = await doctor(env, "--send-test-alert");
    expect(report.checks.filter((c) => c.status !== "ok")).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      "settings",
      "identity",
      "vault open-kv: secrets",
      "vault open-kv: keys",
      "compliance: vaults in ARM",
      "state: queue",
      "state: table",
      "state: blob lease",
      `audit: workspace ${WORKSPACE}`,
      "audit: archive insights-logs-auditevent",
      "alerts: local-teams",
      "alerts: local-mail",
    ]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, counts: { ok: 12, failed: 0, skipped: 0 } });
    expect(check(report, "identity").detail).toContain(`oid=${KVGUARD_OID}`);
    expect(check(report, `audit: workspace ${WORKSPACE}`).detail).toBe("AZKVAuditLogs: records in the last day; AzureDiagnostics: no such table");
    expect(check(report, "audit: archive insights-logs-auditevent").detail).toBe("archive blobs listed in insights-logs-auditevent");
    // The alert connections are secrets: the report shows none of them.
    for (const secret of [alerts.teams.url, alerts.smtp.url]) expect(stdout).not.toContain(secret);
    expect(await readdir(join(dir, "alerts", "teams"))).toHaveLength(1);
    expect(await readdir(join(dir, "alerts", "mail"))).toHaveLength(1);
  });

  it("names the exact role and vault scope a refused check needs, and exits 1", async () => {
    const env = { ...stack.env, KVGUARD_VAULT_URLS: ["reader-kv", "secrets-kv"].map((v) => `${v}=${stack.tv.kv.urls[v]}`).join(",") };
    const { code, report, stdout } = await doctor(env);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);

    // Key Vault Reader lists secrets, but rotation must read and write them.
    const reader = await resourceId("reader-kv");
    const readerSecrets = check(report, "vault reader-kv: secrets");
    expect(readerSecrets).toMatchObject({
      status: "failed",
      detail: "403 ForbiddenByRbac: Microsoft.KeyVault/vaults/secrets/getSecret/action refused on vault reader-kv",
    });
    expect(readerSecrets.fix).toContain(`grant Key Vault Secrets Officer on ${reader.toLowerCase()} to ${KVGUARD_OID}`);
    expect(readerSecrets.fix).toContain(
      `az role assignment create --role "Key Vault Secrets Officer" --assignee-object-id ${KVGUARD_OID} --assignee-principal-type ServicePrincipal --scope ${reader.toLowerCase()}`,
    );
    // It lists keys too, but rotating them needs the key rotator role (infra/'s custom role, never Crypto Officer).
    expect(check(report, "vault reader-kv: keys")).toMatchObject({
      status: "failed",
      detail: "403 ForbiddenByRbac: Microsoft.KeyVault/vaults/keys/rotate/action refused on vault reader-kv",
    });
    expect(check(report, "vault reader-kv: keys").fix).toContain(`grant kvguard Key Rotator (00000000-0000-0000-0000-000000000000) on ${reader.toLowerCase()}`);

    // Secrets Officer covers secrets (the write probe included) but no key at all.
    const secrets = await resourceId("secrets-kv");
    expect(check(report, "vault secrets-kv: secrets")).toMatchObject({ status: "ok" });
    expect(check(report, "vault secrets-kv: keys")).toMatchObject({
      status: "failed",
      detail: "403 ForbiddenByRbac: Microsoft.KeyVault/vaults/keys/read refused on vault secrets-kv",
    });
    expect(check(report, "vault secrets-kv: keys").fix).toContain(
      `grant kvguard Key Rotator (00000000-0000-0000-0000-000000000000) on ${secrets.toLowerCase()}`,
    );

    // ARM shows secrets-kv to someone else only: compliance could not read it.
    const arm = check(report, "compliance: vaults in ARM");
    expect(arm.status).toBe("failed");
    expect(arm.detail).toMatch(/^ARM lists \d+ vault\(s\) in 00000000-0000-0000-0000-000000000000, not secrets-kv$/);
    expect(arm.fix).toContain(`grant Key Vault Reader on the vault to ${KVGUARD_OID} (compliance reads vault properties through ARM`);

    // Storage still passes: a vault problem stops nothing else.
    expect(check(report, "state: queue").status).toBe("ok");
    expect(report.counts.failed).toBe(4);
    expect(stdout).not.toContain(stack.env.AzureWebJobsStorage!.match(/AccountKey=([^;]+)/)![1]);
  });

  it("reports an unreachable state account with the setting to check, skipping the other storage checks", async () => {
    // Azurite's connection string with every endpoint moved to a port where nothing listens.
    const unreachable = stack.env.AzureWebJobsStorage!.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:9");
    const { code, report, stdout } = await doctor(only("open-kv", { AzureWebJobsStorage: unreachable }), "--timeout", "5");
    expect(code).toBe(1);
    expect(check(report, "vault open-kv: secrets").status).toBe("ok");
    const queue = check(report, "state: queue");
    expect(queue.status).toBe("failed");
    expect(queue.detail).toMatch(
      /^(cannot reach http:\/\/127\.0\.0\.1:9\/devstoreaccount1 \(ECONNREFUSED\)|http:\/\/127\.0\.0\.1:9\/devstoreaccount1: no answer within 5 s)$/,
    );
    expect(queue.fix).toContain("check AzureWebJobsStorage (or AzureWebJobsStorage__accountName)");
    expect(check(report, "state: table")).toMatchObject({ status: "skipped" });
    expect(check(report, "state: blob lease")).toMatchObject({ status: "skipped" });
    expect(stdout).not.toContain(unreachable.match(/AccountKey=([^;]+)/)![1]);
  });

  it("reports a bad setting with its fix and a misspelt one with the name meant, before anything else", async () => {
    const { code, report } = await doctor(only("open-kv", { KVGUARD_ROTATION_QUEUE: "Rotations_Queue", KVGUARD_ROTATON_SCHEDULE: "0 */5 * * * *" }));
    expect(code).toBe(1);
    expect(check(report, "setting KVGUARD_ROTATION_QUEUE")).toMatchObject({
      status: "failed",
      detail: "is not a queue name (3-63 lower-case letters, digits and single hyphens).",
      fix: "Set it to something like kvguard-rotations",
    });
    expect(check(report, "setting KVGUARD_ROTATON_SCHEDULE").fix).toBe("Rename it to KVGUARD_ROTATION_SCHEDULE, or remove it");
    expect(check(report, "other checks").status).toBe("skipped");
    expect(report.checks.some((c) => c.name.startsWith("vault"))).toBe(false);
  });

  it("names the setting to fix for an unknown workspace and a missing archive container, and prints text by default", async () => {
    const env = only("open-kv", {
      KVGUARD_AUDIT_WORKSPACE_IDS: "00000000-0000-0000-0000-000000000001",
      KVGUARD_AUDIT_LOGS_ENDPOINT: logs.endpoint,
      KVGUARD_AUDIT_ARCHIVE_ACCOUNT: "AzureWebJobsStorage",
      KVGUARD_AUDIT_ARCHIVE_CONTAINER: "no-such-archive",
      NODE_EXTRA_CA_CERTS: join(dir, "logs-ca.pem"),
    });
    const { code, stdout, stderr } = await runCli(["doctor"], { PATH: process.env.PATH, ...env });
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split("\n");
    expect(lines.find((l) => l.includes("audit: workspace"))).toMatch(
      /^FAILED +audit: workspace 00000000-0000-0000-0000-000000000001 +404: the query API knows no workspace/,
    );
    expect(lines).toContain(
      "        fix: set KVGUARD_AUDIT_WORKSPACE_IDS to the workspace id (a GUID, the workspace's customerId), not its resource id or name",
    );
    expect(lines.find((l) => l.includes("audit: archive"))).toMatch(
      /^FAILED +audit: archive no-such-archive +no container no-such-archive in http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/,
    );
    expect(lines).toContain(
      "        fix: check that the vaults' diagnostic settings archive AuditEvent to this storage account (the container appears with the first records), or set KVGUARD_AUDIT_ARCHIVE_CONTAINER",
    );
    expect(lines.find((l) => l.startsWith("ok ") && l.includes("state: blob lease"))).toBeDefined();
    expect(lines.at(-1)).toBe("doctor: 8 ok, 2 failed, 0 skipped");
  });
});
