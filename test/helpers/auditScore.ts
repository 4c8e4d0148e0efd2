/**
 * @module Scores the detectors on labelled corpora: per scenario, whether a finding of the expected
 * detector names it (vault, principal, time, severity, and the anomalous record first when the label says
 * so), and the medium-or-higher findings in the reported period that no scenario explains, per vault-week.
 * `npm run eval:audit` prints the table; the tests assert on the same numbers.
 */
import { Baseline } from "../../src/audit/baseline.js";
import { AuditEngine } from "../../src/audit/engine.js";
import { SEVERITIES, type Finding, type Severity } from "../../src/audit/finding.js";
import { parseCidrList } from "../../src/common/network.js";
import { fromAuditEvent } from "../../src/audit/parse/archive.js";
import { generateCorpus } from "./auditCorpus.js";
import { generateRoutineCorpus } from "./routineCorpus.js";
import { DAY_MS } from "../../src/common/duration.js";
import { detectors } from "../../src/audit/detectors/registry.js";

const WEEK = 7 * DAY_MS;

export interface ScoredLabel {
  scenario: string;
  detector: string;
  vault: string;
  principal?: string;
  fromMs: number;
  toMs: number;
  minSeverity?: Severity;
  leadsWith?: string[];
}

export interface CorpusScore {
  corpus: string;
  seed: number;
  /** Scenario → found. */
  found: Record<string, boolean>;
  /** Medium-or-higher findings in the reported period that no scenario explains. */
  falseFindings: Finding[];
  vaultWeeks: number;
}

interface Scorable {
  records: Record<string, unknown>[];
  labels: ScoredLabel[];
  vaults: string[];
  evalFromMs: number;
  evalToMs: number;
  selfIds: string[];
  threatIntel?: string;
  allowedNetworks?: string;
  canaries?: string[];
}

function names(f: Finding, principal: string): boolean {
  return Object.values(f.principal).includes(principal);
}

function overlaps(f: Finding, fromMs: number, toMs: number): boolean {
  return Date.parse(f.start) <= toMs && Date.parse(f.end) >= fromMs;
}

function atLeast(severity: Severity, min: Severity | undefined): boolean {
  return min === undefined || SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(min);
}

/** Whether a finding matches a label: the label's detector, vault, principal, time and severity. */
export function matches(f: Finding, l: ScoredLabel): boolean {
  return (
    f.detector === l.detector &&
    (l.vault === "*" || f.vault === l.vault) &&
    overlaps(f, l.fromMs - 60_000, l.toMs + 60_000) &&
    (!l.principal || names(f, l.principal)) &&
    atLeast(f.severity, l.minSeverity) &&
    (!l.leadsWith || l.leadsWith.includes(f.evidence[0] ?? ""))
  );
}

/** Whether a finding is about a scenario at all (any detector, the scenario's principal or vault, near its time). */
function explained(f: Finding, labels: readonly ScoredLabel[]): boolean {
  return labels.some(
    (l) => overlaps(f, l.fromMs - 5 * 60_000, l.toMs + 3_600_000) && (l.principal ? names(f, l.principal) : l.vault === "*" || f.vault === l.vault),
  );
}

export function scoreCorpus(name: string, seed: number, c: Scorable): CorpusScore {
  const engine = new AuditEngine({
    detectors,
    baseline: new Baseline(14),
    warmupDays: 14,
    inputs: { threatIntel: parseCidrList(c.threatIntel ?? ""), allowedNetworks: parseCidrList(c.allowedNetworks ?? ""), canaries: c.canaries ?? [] },
    selfIds: c.selfIds,
    // The corpora span weeks, not the months unused objects are judged over.
    thresholds: { persistence_unused_secret: { unusedDays: 10 } },
  });
  engine.process(c.records.map(fromAuditEvent));
  const findings = engine.finish().findings;
  const found: Record<string, boolean> = {};
  for (const l of c.labels) found[l.scenario] = (found[l.scenario] ?? false) || findings.some((f) => matches(f, l));
  const falseFindings = findings.filter(
    (f) => f.severity !== "low" && Date.parse(f.end) >= c.evalFromMs && Date.parse(f.start) < c.evalToMs && !explained(f, c.labels),
  );
  return { corpus: name, seed, found, falseFindings, vaultWeeks: (c.vaults.length * (c.evalToMs - c.evalFromMs)) / WEEK };
}

/** The routine corpus of a seed, scored. */
export function scoreRoutine(seed: number): CorpusScore {
  return scoreCorpus("routine", seed, generateRoutineCorpus({ seed, attacks: true }));
}

/** The original seeded corpus: its scenarios (recall) and, separately, a benign run (false findings). */
export function scoreSeeded(seed: number): CorpusScore {
  const withScenarios = generateCorpus({ seed, scenarios: true });
  const benign = generateCorpus({ seed, scenarios: false });
  const end = Date.parse(String(benign.records[benign.records.length - 1]!.time));
  const evalToMs = Math.ceil(end / DAY_MS) * DAY_MS;
  const common = {
    vaults: benign.vaults,
    evalFromMs: evalToMs - WEEK,
    evalToMs,
    selfIds: benign.selfIds,
    threatIntel: benign.threatIntel,
    allowedNetworks: benign.allowedNetworks,
    canaries: benign.canaries,
  };
  const recall = scoreCorpus("seeded", seed, { ...common, records: withScenarios.records, labels: withScenarios.labels });
  const quiet = scoreCorpus("seeded", seed, { ...common, records: benign.records, labels: [] });
  return { ...recall, falseFindings: quiet.falseFindings };
}

/** The table: one row per scenario (a mark per seed and the recall), then false findings per vault-week. */
export function formatScores(scores: readonly CorpusScore[]): string {
  const lines: string[] = [];
  for (const corpus of [...new Set(scores.map((s) => s.corpus))]) {
    const runs = scores.filter((s) => s.corpus === corpus);
    const scenarios = [...new Set(runs.flatMap((s) => Object.keys(s.found)))];
    const width = Math.max(40, ...scenarios.map((s) => s.length + 2));
    lines.push(`${corpus} corpus`.padEnd(width) + runs.map((s) => `seed ${s.seed}`.padStart(8)).join("") + "  recall");
    for (const scenario of scenarios) {
      const marks = runs.map((s) => (s.found[scenario] ? "found" : "MISSED").padStart(8)).join("");
      const recall = runs.filter((s) => s.found[scenario]).length / runs.length;
      lines.push(`  ${scenario}`.padEnd(width) + marks + `  ${(recall * 100).toFixed(0)}%`);
    }
    lines.push(
      "  false medium+ per vault-week".padEnd(width) +
        runs.map((s) => falseRate(s).toFixed(2).padStart(8)).join("") +
        `  mean ${mean(runs.map(falseRate)).toFixed(2)}`,
    );
    const byDetector = new Map<string, number>();
    for (const f of runs.flatMap((s) => s.falseFindings)) byDetector.set(f.detector, (byDetector.get(f.detector) ?? 0) + 1);
    if (byDetector.size > 0) lines.push(`  false findings by detector (all seeds): ${[...byDetector].map(([d, n]) => `${d} ${n}`).join(", ")}`);
  }
  return lines.join("\n");
}

export function falseRate(s: CorpusScore): number {
  return s.falseFindings.length / s.vaultWeeks;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

/** The table's figures as one JSON-able object: recall per corpus and scenario, false findings per vault-week. */
export function summarise(scores: readonly CorpusScore[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const corpus of [...new Set(scores.map((s) => s.corpus))]) {
    const runs = scores.filter((s) => s.corpus === corpus);
    const recall: Record<string, number> = {};
    for (const scenario of new Set(runs.flatMap((s) => Object.keys(s.found)))) recall[scenario] = runs.filter((s) => s.found[scenario]).length / runs.length;
    out[corpus] = {
      seeds: runs.map((s) => s.seed),
      recall,
      falsePerVaultWeek: runs.map((s) => Number(falseRate(s).toFixed(2))),
      maxFalsePerVaultWeek: Number(Math.max(...runs.map(falseRate)).toFixed(2)),
    };
  }
  return out;
}
