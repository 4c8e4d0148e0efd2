/**
 * @module Unused objects through the engine: an object no consumer read in `unusedDays` days is a low finding
 * at the end of a scan; one read lately, one read only by kvguard itself, and any object of a vault whose
 * audit records do not go back that far are not; the last reads survive a saved baseline.
 */
import { describe, expect, it } from "vitest";
import { Baseline } from "../../src/audit/baseline.js";
import { AuditEngine } from "../../src/audit/engine.js";
import { detectors } from "../../src/audit/detectors/registry.js";
import type { AuditRecord } from "../../src/audit/record.js";

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);
const APP = "11111111-1111-4111-8111-111111111111";
const KVGUARD = "22222222-2222-4222-8222-222222222222";

function read(vault: string, name: string, timeMs: number, oid = APP, operation = "SecretGet"): AuditRecord {
  return {
    timeMs,
    vault: { name: vault, resourceId: `/subscriptions/s/resourcegroups/g/providers/microsoft.keyvault/vaults/${vault}` },
    operation,
    status: 200,
    resultSignature: "OK",
    principal: { oid },
    ip: "10.0.0.1",
    client: "test",
    object: { type: "secrets", name },
    correlationId: `${vault}-${name}-${timeMs}`,
    durationMs: 5,
  };
}

function scan(records: AuditRecord[], baseline = new Baseline(14)) {
  const engine = new AuditEngine({ baseline, detectors, thresholds: { persistence_unused_secret: { unusedDays: 30 } }, selfIds: [KVGUARD] });
  engine.process(records.sort((a, b) => a.timeMs - b.timeMs));
  return { findings: engine.finish().findings.filter((f) => f.detector === "persistence_unused_secret"), baseline };
}

describe("unused objects", () => {
  // Vault "old" has 40 days of records; vault "young" only 10.
  const records: AuditRecord[] = [];
  for (let d = 0; d < 40; d++) records.push(read("old", "db-password", START + d * DAY + 3_600_000));
  records.push(read("old", "legacy-token", START + 2 * DAY));
  records.push(read("old", "kv-only", START + 1 * DAY, APP, "SecretSet"));
  for (let d = 5; d < 40; d += 3) records.push(read("old", "kv-only", START + d * DAY, KVGUARD));
  for (let d = 30; d < 40; d++) records.push(read("young", "app-key", START + d * DAY));
  records.push(read("young", "never-read", START + 30 * DAY, APP, "SecretSet"));

  it("reports what no consumer read in the window, low, naming when it was last read", () => {
    const { findings } = scan([...records]);
    expect(findings.map((f) => f.object).sort()).toEqual(["old/secrets/kv-only", "old/secrets/legacy-token"]);
    expect(findings.every((f) => f.severity === "low")).toBe(true);
    const legacy = findings.find((f) => f.object === "old/secrets/legacy-token")!;
    expect(legacy.summary).toMatch(/not read or used by any consumer in 3\d days \(last 2026-01-07\)/);
    expect(legacy.baseline).toMatchObject({ unusedDays: 30, lastReadAt: new Date(START + 2 * DAY).toISOString() });
    // kvguard's own reads are not use: written on day 1, never read by a consumer.
    expect(findings.find((f) => f.object === "old/secrets/kv-only")!.summary).toMatch(/since audit coverage of vault old began/);
  });

  it("says nothing about a vault whose records do not cover the window (unknown, not unused)", () => {
    const { findings } = scan([...records]);
    expect(findings.filter((f) => f.vault === "young")).toEqual([]);
  });

  it("keeps last reads and coverage in the saved baseline, and forgets a deleted object", () => {
    const first = scan(records.filter((r) => r.timeMs < START + 20 * DAY));
    const saved = Baseline.fromJSON(JSON.parse(JSON.stringify(first.baseline.toJSON())));
    expect(saved.objects.get("old/secrets/legacy-token")?.lastReadMs).toBe(START + 2 * DAY);
    expect(saved.coverage.get("old")).toBe(START + 3_600_000);
    const later = records.filter((r) => r.timeMs >= START + 20 * DAY);
    later.push({ ...read("old", "legacy-token", START + 39 * DAY), operation: "SecretDelete" });
    const { findings } = scan(later, saved);
    expect(findings.map((f) => f.object)).toEqual(["old/secrets/kv-only"]);
  });
});
