/**
 * @module The audit demo against a started local stack (local Key Vault with its audit folder, Azurite):
 * its warm-up and attacks through the real SDK, then the auditScan function over the folder, must yield
 * findings from the detectors each attack is meant to show, and none about the ordinary apps.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, useApp } from "../../src/app/index.js";
import { devClaims } from "../../src/azure/devCredential.js";
import { attackDemoSettings, attackers, DEMO_IDENTITIES, start, type AttackDemoReport } from "../../dev/demo/attackDemo.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";

const auditDir = mkdtempSync(join(tmpdir(), "kvguard-attack-demo-"));
let stack: LocalStack;
let report: AttackDemoReport;
const lines: string[] = [];

beforeAll(async () => {
  // With Key Vault's moment for deletes, as under `npm start`: the demo's delete-then-purge must wait on its poller.
  stack = await startLocalStack({ vaults: ["demo"], auditDir, settings: attackDemoSettings(auditDir), lroSeconds: 2 });
  // The function runs with the process's app, as under `npm start`.
  const app = createApp(stack.env);
  useApp(app);
  report = await start({ kv: stack.tv.kv, vault: "demo", app, write: (line) => lines.push(line) });
});
afterAll(async () => {
  useApp(undefined);
  await stack?.stop();
});

const oid = (name: string) => devClaims({ name }).oid!;

describe("the audit demo", () => {
  it("warms the baselines up over the baseline window on the vault's clock", () => {
    expect(report.warmupDays).toBe(4);
    expect(lines.join("\n")).toMatch(/\[auditScan\] audit scan: \d+ records .* findings \([1-9]\d* new/);
  });

  it("finds each attack with the detector meant to show it", () => {
    const { intruder, prober } = attackers(report.runId);
    const by = (detector: string, name: string) => report.findings.filter((f) => f.detector === detector && f.principal.oid === oid(name));
    expect(by("credential_access_list_then_get", intruder.name)).toHaveLength(1);
    expect(by("credential_access_mass_retrieval", intruder.name)).toHaveLength(1);
    expect(by("initial_access_first_seen_principal", intruder.name)).toHaveLength(1);
    expect(by("discovery_denied_access", prober.name).length).toBeGreaterThanOrEqual(1);
    const purge = by("impact_destructive_operation", DEMO_IDENTITIES.operator.name).find((f) => f.summary.includes("SecretPurge"));
    expect(purge).toMatchObject({ severity: "high", object: `demo/secrets/demo-retired-${report.runId}` });
  });

  it("reports nothing about the apps doing what they always do, and prints no value", () => {
    const apps = [DEMO_IDENTITIES.ordersApi.name, DEMO_IDENTITIES.billingWorker.name].map(oid);
    expect(report.findings.filter((f) => apps.includes(f.principal.oid ?? ""))).toEqual([]);
    expect(lines.some((l) => l.includes("[audit demo] finding: high   impact_destructive_operation"))).toBe(true);
  });
});
