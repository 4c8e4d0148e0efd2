/**
 * @module The detectors over the seeded corpus: three weeks of traffic through the archive parser and the
 * engine (two weeks of warm-up), with one labelled scenario per detector in the last week. Each scenario
 * must be found by its detector; a benign last week must give at most one finding per vault.
 */
import { describe, expect, it } from "vitest";
import { Baseline } from "../../src/audit/baseline.js";
import { detectorById, detectors } from "../../src/audit/detectors/registry.js";
import { AuditEngine, type EngineResult } from "../../src/audit/engine.js";
import type { Finding } from "../../src/audit/finding.js";
import { parseCidrList } from "../../src/common/network.js";
import { fromAuditEvent } from "../../src/audit/parse/archive.js";
import type { AuditRecord } from "../../src/audit/record.js";
import { generateCorpus, type Corpus } from "../helpers/auditCorpus.js";
import { DAY_MS } from "../../src/common/duration.js";

function run(corpus: Corpus, warmupDays = 14): EngineResult {
  const engine = new AuditEngine({
    detectors,
    baseline: new Baseline(14),
    warmupDays,
    inputs: { threatIntel: parseCidrList(corpus.threatIntel), allowedNetworks: parseCidrList(corpus.allowedNetworks), canaries: corpus.canaries },
    selfIds: corpus.selfIds,
    // The corpus spans three weeks, not the months unused objects are judged over.
    thresholds: { persistence_unused_secret: { unusedDays: 10 } },
  });
  engine.process(corpus.records.map(fromAuditEvent));
  return engine.finish();
}

function overlaps(f: Finding, fromMs: number, toMs: number): boolean {
  return Date.parse(f.start) <= toMs + 60_000 && Date.parse(f.end) >= fromMs - 60_000;
}

describe("detectors over the seeded corpus", () => {
  const corpus = generateCorpus({ seed: 7, scenarios: true });
  const result = run(corpus);

  it("labels a scenario for every detector", () => {
    expect(new Set(corpus.labels.map((l) => l.detector))).toEqual(new Set(detectors.map((d) => d.id)));
  });

  it.each(corpus.labels.map((l) => [l.scenario, l] as const))("finds the %s scenario with the right detector", (_name, label) => {
    const found = result.findings.filter(
      (f) =>
        f.detector === label.detector &&
        (label.vault === "*" || f.vault === label.vault) &&
        overlaps(f, label.fromMs, label.toMs) &&
        (!label.principal || Object.values(f.principal).includes(label.principal)),
    );
    expect(
      found,
      `no ${label.detector} finding for ${label.scenario}; got:\n${result.findings.map((f) => `${f.detector} ${f.vault} ${f.start} ${f.summary}`).join("\n")}`,
    ).not.toHaveLength(0);
    const finding = found[0]!;
    expect(finding.summary.length).toBeGreaterThan(10);
    expect(finding.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("reports nothing baseline-based during the warm-up", () => {
    const warmEnd = Date.parse(corpus.records[0]!.time as string) + 14 * DAY_MS;
    const baselineIds = new Set(detectors.filter((d) => d.usesBaseline).map((d) => d.id));
    expect(result.findings.filter((f) => baselineIds.has(f.detector) && Date.parse(f.start) < warmEnd)).toEqual([]);
  });

  it("gives at most one finding per vault in a benign week", () => {
    const benign = run(generateCorpus({ seed: 7, scenarios: false }));
    const perVault = new Map<string, string[]>();
    for (const f of benign.findings) perVault.set(f.vault, [...(perVault.get(f.vault) ?? []), `${f.detector}: ${f.summary}`]);
    for (const [vault, list] of perVault) expect(list.length, `${vault}:\n${list.join("\n")}`).toBeLessThanOrEqual(1);
    expect(benign.benign.challenge).toBeGreaterThan(0);
    expect(benign.benign["azure-scanner"]).toBeGreaterThan(0);
    expect(benign.benign.kvguard).toBeGreaterThan(0);
  });

  it("gives the same finding ids on a rerun", () => {
    const again = run(corpus);
    expect(again.findings.map((f) => f.id)).toEqual(result.findings.map((f) => f.id));
  });

  it("stays silent for the scenarios when nothing is warm yet", () => {
    const cold = run(corpus, 30);
    const baselineIds = new Set(detectors.filter((d) => d.usesBaseline).map((d) => d.id));
    expect(cold.findings.filter((f) => baselineIds.has(f.detector))).toEqual([]);
  });
});

describe("hour-of-week profiles", () => {
  const HOUR = 3_600_000;
  // A Monday: days 0-4 and 7-11 ... are weekdays.
  const start = Date.UTC(2026, 0, 5);
  const vault = { name: "orders", resourceId: "/SUBSCRIPTIONS/S/RESOURCEGROUPS/R/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/ORDERS" };
  const read = (ms: number): AuditRecord => ({
    timeMs: ms,
    vault,
    operation: "SecretGet",
    status: 200,
    resultSignature: "OK",
    principal: { oid: "night-job" },
    ip: "10.0.0.1",
    client: "job/1.0",
    correlationId: `c-${ms}`,
    durationMs: 1,
  });
  /** Five reads at 10:00 every day, and at 03:00 on the days given; then one read at 03:00 on `probeDay`. */
  function offHours(nightDays: number, probeDay: number): Finding[] {
    const engine = new AuditEngine({ baseline: new Baseline(14), detectors: [detectorById("initial_access_off_hours")!] });
    const records: AuditRecord[] = [];
    for (let day = 0; day < probeDay; day++) {
      if (day < nightDays) records.push(read(start + day * DAY_MS + 3 * HOUR));
      for (let i = 0; i < 5; i++) records.push(read(start + day * DAY_MS + 10 * HOUR + i * 60_000));
    }
    records.push(read(start + probeDay * DAY_MS + 3 * HOUR));
    engine.process(records);
    return engine.finish().findings;
  }

  it("trusts night work seen within the window", () => {
    expect(offHours(10, 17)).toEqual([]);
  });

  it("forgets hours older than the window, so night work that stopped is unusual again", () => {
    const findings = offHours(10, 30);
    expect(findings.map((f) => [f.detector, f.start])).toEqual([["initial_access_off_hours", new Date(start + 30 * DAY_MS + 3 * HOUR).toISOString()]]);
    expect(findings[0]!.baseline).toMatchObject({ usualHoursUtc: [10] });
  });

  it("loads a baseline saved before hours were kept per day", () => {
    const saved = { ...new Baseline(14).toJSON(), profiles: { "night-job": new Array<number>(168).fill(1) } } as Record<string, unknown>;
    delete saved.hours;
    expect(Baseline.fromJSON(saved).hours.size).toBe(0);
  });
});
