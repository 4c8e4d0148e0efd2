/**
 * @module The detectors over the seeded corpus: three weeks of traffic through the archive parser and the
 * engine (two weeks of warm-up), with one labelled scenario per detector in the last week. Each scenario
 * must be found by its detector; a benign last week must give at most one finding per vault.
 */
import { describe, expect, it } from "vitest";
import { Baseline } from "../../src/audit/baseline.js";
import { detectors } from "../../src/audit/detectors/registry.js";
import { AuditEngine, type EngineResult } from "../../src/audit/engine.js";
import type { Finding } from "../../src/audit/finding.js";
import { parseCidrList } from "../../src/audit/network.js";
import { fromAuditEvent } from "../../src/audit/parse/archive.js";
import { generateCorpus, type Corpus } from "../helpers/auditCorpus.js";

function run(corpus: Corpus, warmupDays = 14): EngineResult {
  const engine = new AuditEngine({
    baseline: new Baseline(14),
    warmupDays,
    inputs: { threatIntel: parseCidrList(corpus.threatIntel), allowedNetworks: parseCidrList(corpus.allowedNetworks), canaries: corpus.canaries },
    selfIds: corpus.selfIds,
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
    expect(found, `no ${label.detector} finding for ${label.scenario}; got:\n${result.findings.map((f) => `${f.detector} ${f.vault} ${f.start} ${f.summary}`).join("\n")}`).not.toHaveLength(0);
    const finding = found[0]!;
    expect(finding.summary.length).toBeGreaterThan(10);
    expect(finding.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("reports nothing baseline-based during the warm-up", () => {
    const warmEnd = Date.parse(corpus.records[0]!.time as string) + 14 * 86_400_000;
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
