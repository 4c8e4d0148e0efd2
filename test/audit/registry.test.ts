/**
 * @module One suite over every detector (the shared contract): unique ids and names, file name = id with
 * the tactic as prefix, metadata filled in, thresholds positive and overridable, and the behaviour every
 * detector owes: silent on benign records, deterministic, no throw on odd records.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Baseline } from "../../src/audit/baseline.js";
import { TACTICS, type Detector, type DetectorInputs, type StepContext } from "../../src/audit/detectors/detector.js";
import { detectors } from "../../src/audit/detectors/registry.js";
import { AuditEngine, resolveThresholds } from "../../src/audit/engine.js";
import type { Hit } from "../../src/audit/finding.js";
import { parseCidrList } from "../../src/common/network.js";
import { DETECTOR_THRESHOLDS } from "../../src/config/detectorThresholds.js";
import { fromAuditEvent } from "../../src/audit/parse/archive.js";
import { renderCatalogue, withCatalogue } from "../../scripts/auditCatalogue.js";
import { generateCorpus } from "../helpers/auditCorpus.js";

const DETECTOR_DIR = new URL("../../src/audit/detectors/", import.meta.url);
const NOT_DETECTORS = new Set(["detector.ts", "dayMemo.ts", "grants.ts", "newTerm.ts", "operations.ts", "registry.ts", "routine.ts"]);

describe("detector registry", () => {
  it("registers every detector file once, with unique ids and names", () => {
    const files = readdirSync(DETECTOR_DIR).filter((f) => f.endsWith(".ts") && !NOT_DETECTORS.has(f));
    expect(detectors.map((d) => `${d.id}.ts`).sort()).toEqual(files.sort());
    expect(new Set(detectors.map((d) => d.id)).size).toBe(detectors.length);
    expect(new Set(detectors.map((d) => d.name)).size).toBe(detectors.length);
  });

  it("is the list the settings check KVGUARD_AUDIT_THRESHOLDS against: every detector and threshold, in order", () => {
    expect(DETECTOR_THRESHOLDS).toEqual(Object.fromEntries(detectors.map((d) => [d.id, Object.keys(d.thresholds)])));
    expect(Object.keys(DETECTOR_THRESHOLDS)).toEqual(detectors.map((d) => d.id));
  });

  it.each(detectors.map((d) => [d.id, d] as const))("%s: file prefix is its tactic, metadata is filled in", (id, d) => {
    expect(TACTICS).toContain(d.tactic);
    expect(id.startsWith(`${d.tactic}_`)).toBe(true);
    expect(["low", "medium", "high"]).toContain(d.severity);
    expect(d.name.length).toBeGreaterThan(5);
    expect(d.description.length).toBeGreaterThan(40);
    expect(d.falsePositives.length).toBeGreaterThan(0);
    expect(d.references.length).toBeGreaterThan(0);
    for (const [name, t] of Object.entries(d.thresholds)) {
      expect(t.value, name).toBeGreaterThan(0);
      expect(t.description.length, name).toBeGreaterThan(10);
    }
  });

  it("is catalogued in docs/audit.md exactly as the metadata renders (npm run docs:audit)", () => {
    const doc = readFileSync(new URL("../../docs/audit.md", import.meta.url), "utf8");
    expect(withCatalogue(doc)).toBe(doc);
    for (const d of detectors) expect(renderCatalogue()).toContain(`\`${d.id}\``);
    // Every detector that learns explains how it weighs what it learned.
    for (const d of detectors.filter((x) =>
      [
        "impact_destructive_operation",
        "defense_evasion_audit_gap",
        "initial_access_first_seen_principal",
        "privilege_escalation_policy_change_then_read",
        "credential_access_stale_version_read",
        "credential_access_new_object_creep",
      ].includes(x.id),
    )) {
      expect(d.rationale?.length ?? 0, d.id).toBeGreaterThan(100);
    }
  });

  it("applies threshold overrides and names unknown ones", () => {
    const [mass] = resolveThresholds(
      detectors.filter((d) => d.id === "credential_access_mass_retrieval"),
      { credential_access_mass_retrieval: { distinctObjects: 50 } },
    );
    expect(mass).toEqual({ distinctObjects: 50, peakFactor: 2 });
    expect(() => resolveThresholds(detectors, { nope: {} })).toThrow(/unknown detector "nope"/);
    expect(() => resolveThresholds(detectors, { impact_secret_churn: { bogus: 1 } })).toThrow(/no threshold "bogus".*sets, peakFactor/);
  });
});

describe("detector contract", () => {
  const records = generateCorpus({ seed: 5, days: 3, scenarios: false }).records.map(fromAuditEvent);

  it.each(detectors.map((d) => [d.id, d] as const))("%s: reports nothing on benign records and does not throw on odd ones", (_id, d) => {
    const hits: Hit[] = [];
    const run = d.create();
    const ctx: StepContext = {
      baseline: new Baseline(1),
      warm: true,
      benign: true,
      thresholds: Object.fromEntries(Object.entries(d.thresholds).map(([k, t]) => [k, t.value])),
      inputs: { threatIntel: [], allowedNetworks: [], canaries: [] },
      emit: (hit) => hits.push(hit),
    };
    for (const r of records) {
      ctx.baseline.advance(r.timeMs);
      run.step(r, ctx);
    }
    const odd = { ...records[0]!, principal: {}, ip: "<Redacted>", client: "", object: undefined, correlationId: "" };
    run.step(odd, ctx);
    expect(hits).toEqual([]);
  });

  it("gives the same findings for the same records (no hidden state between runs)", () => {
    const once = () => {
      const engine = new AuditEngine({ detectors, baseline: new Baseline(1), warmupDays: 1 });
      engine.process(records);
      return engine.finish().findings;
    };
    expect(once()).toEqual(once());
  });
});

describe("detector routing", () => {
  const corpus = generateCorpus({ seed: 8, days: 21, scenarios: true });
  const records = corpus.records.map(fromAuditEvent);
  const inputs = { threatIntel: parseCidrList(corpus.threatIntel), allowedNetworks: parseCidrList(corpus.allowedNetworks), canaries: corpus.canaries };

  /** Every hit of one detector over the records, shown all of them or only those it says it handles. */
  function hits(d: Detector, routed: boolean, given: DetectorInputs = inputs): string[] {
    const out: string[] = [];
    const run = d.create();
    const ctx: StepContext = {
      baseline: new Baseline(14),
      warm: false,
      benign: false,
      thresholds: Object.fromEntries(Object.entries(d.thresholds).map(([k, t]) => [k, t.value])),
      inputs: given,
      emit: (hit) => out.push(`${hit.subject} ${hit.summary}`),
    };
    for (const r of records) {
      ctx.baseline.advance(r.timeMs);
      ctx.warm = ctx.baseline.isWarm(r.timeMs);
      if (routed && !(d.handles?.(r.operation) ?? true)) continue;
      run.step(r, ctx);
    }
    return out;
  }

  it.each(detectors.map((d) => [d.id, d] as const))("%s: reports the same whether the engine routes records by operation or not", (_id, d) => {
    expect(hits(d, true)).toEqual(hits(d, false));
  });

  it.each(detectors.filter((d) => d.activeWith !== undefined).map((d) => [d.id, d] as const))("%s: idle without its inputs, and then silent", (_id, d) => {
    const none: DetectorInputs = { threatIntel: [], allowedNetworks: [], canaries: [] };
    expect(d.activeWith!(none)).toBe(false);
    expect(d.activeWith!(inputs)).toBe(true);
    expect(hits(d, false, none)).toEqual([]);
    expect(hits(d, false).length).toBeGreaterThan(0);
  });
});
