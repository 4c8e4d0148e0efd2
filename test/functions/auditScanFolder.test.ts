/**
 * @module The `auditScan` timer function reading the local Key Vault's audit folder (`KVGUARD_AUDIT_FOLDER`):
 * real SDK traffic against a local Key Vault, the handler called with a real InvocationContext, findings in
 * Azurite; a second scan reads only what the vault wrote since (watermark per file and offset).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TableClient } from "@azure/data-tables";
import { InvocationContext, type Timer } from "@azure/functions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import { createApp, useApp } from "../../src/app/index.js";
import { FINDINGS_TABLE, TableFindingStore } from "../../src/audit/store/findingStore.js";
import { auditScan } from "../../src/functions/auditScan.js";
import { flushAudit, startTestVault, type TestVault } from "../helpers/localVault.js";

const VAULT = "folder-scan";
const OPS = { name: "folder-ops", upn: "folder-ops@kvguard.local" };
const TIMER: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
const auditDir = mkdtempSync(join(tmpdir(), "kvguard-folder-scan-"));

let vault: TestVault;
let azurite: RunningAzurite;
beforeAll(async () => {
  [vault, azurite] = await Promise.all([startTestVault({ vaults: [VAULT], auditDir }), startAzurite()]);
});
afterAll(async () => {
  await vault?.kv.close();
  await azurite?.stop();
});
afterEach(() => useApp(undefined));

/** Sets, deletes and purges a secret: two audited writes the destructive-operation detector reports. */
async function purge(name: string): Promise<void> {
  const secrets = vault.clients(OPS).secrets;
  await secrets.setSecret(name, "not-a-real-value");
  await (await secrets.beginDeleteSecret(name, { intervalInMs: 10 })).pollUntilDone();
  await secrets.purgeDeletedSecret(name);
}

/** Every request so far in the audit folder (the vault writes it through buffered streams). */
function settle(): Promise<void> {
  return flushAudit(vault.kv);
}

async function scan(): Promise<string[]> {
  const logs: string[] = [];
  const context = new InvocationContext({
    functionName: "auditScan",
    invocationId: "folder",
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(" ")}`),
  });
  await auditScan.handler(TIMER, context);
  return logs;
}

function recordsIn(logs: string[]): number {
  const match = /audit scan: (\d+) records/.exec(logs.join("\n"));
  if (!match) throw new Error(`no scan summary in: ${logs.join("\n")}`);
  return Number(match[1]);
}

/** The settings the function runs with: the vault, Azurite, and the audit folder. */
function settings(folder: string): Record<string, string> {
  return {
    KVGUARD_VAULT_URLS: `${VAULT}=${vault.url}`,
    KVGUARD_LOCAL_CA_FILE: vault.kv.caFile,
    AzureWebJobsStorage: azurite.connectionString,
    KVGUARD_AUDIT_FOLDER: folder,
  };
}

describe("auditScan over KVGUARD_AUDIT_FOLDER", () => {
  it("reads the local Key Vault's audit folder, then only what was appended since", async () => {
    useApp(createApp(settings(auditDir)));

    await purge("old-ftp-password");
    await settle();
    const first = await scan();
    // Challenges (401) and the set, delete, get-deleted polls and purge: every request is one record.
    expect(recordsIn(first)).toBeGreaterThanOrEqual(4);
    expect(first.join("\n")).toMatch(/findings \([1-9]\d* new/);
    const store = new TableFindingStore(TableClient.fromConnectionString(azurite.connectionString, FINDINGS_TABLE, { allowInsecureConnection: true }));
    const purges = () => store.list().then((all) => all.filter((f) => f.detector === "impact_destructive_operation" && f.summary.includes("SecretPurge")));
    expect(await purges()).toHaveLength(1);

    // Nothing new: nothing read.
    expect(recordsIn(await scan())).toBe(0);

    // One more call by a new client (its 401 challenge, then the set): the next scan reads exactly those two.
    await vault.clients(OPS).secrets.setSecret("new-secret", "not-a-real-value");
    await settle();
    expect(recordsIn(await scan())).toBe(2);

    await purge("old-smtp-password");
    await settle();
    const third = await scan();
    expect(recordsIn(third)).toBeGreaterThanOrEqual(3);
    expect(third.join("\n")).toMatch(/\(\d+ benign, 0 malformed\)/);
    // The same principal purging again the same day: the day's finding is updated, not duplicated.
    const merged = await purges();
    expect(merged).toHaveLength(1);
    expect(merged[0]!.count).toBe(2);
  });

  it("reports a folder it cannot read, and scans on", async () => {
    useApp(createApp(settings(join(auditDir, "missing"))));
    const logs = await scan();
    expect(recordsIn(logs)).toBe(0);
    expect(logs.join("\n")).toMatch(/warning: .*missing: cannot read: ENOENT/);
  });
});
