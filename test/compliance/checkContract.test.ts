/**
 * @module The contract every registered compliance check keeps, run over the whole registry: complete
 * metadata (id named like its file, title, object kind, severity, rationale, remediation, controls with full
 * Azure Policy definition ids and versioned CIS numbers), a verdict with a reason and evidence, pass on
 * compliant facts and fail on non-compliant ones, never an error on facts that were read; and the catalogue in
 * docs/compliance.md is the registry's.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkCatalogue, defaultComplianceConfig, DOC, withCatalogue } from "../../scripts/checkCatalogue.js";
import { isVaultCheck, type CheckContext, type Verdict } from "../../src/compliance/check.js";
import { buildChecks, CHECKS } from "../../src/compliance/checks/registry.js";
import { judgeOne } from "../../src/compliance/run.js";
import { COMPLIANT, HARDENED_VAULT, NON_COMPLIANT, NOW, WEAK_VAULT } from "./helpers/checkFacts.js";

const config = defaultComplianceConfig();
const checks = buildChecks(config);
const ctx: CheckContext = { nowMs: NOW, config, vault: HARDENED_VAULT };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CIS_VERSIONS = ["2.0.0", "2.1.0", "3.0.0", "4.0.0", "5.0.0", "6.0.0"];

function expectJudged(verdict: Verdict, what: string): void {
  expect(verdict.reason, what).toMatch(/\S{2,}/);
  expect(`${verdict.reason} ${JSON.stringify(verdict.evidence)}`, what).not.toMatch(/\bundefined\b|\bNaN\b/);
  if (verdict.outcome === "pass" || verdict.outcome === "fail") expect(Object.keys(verdict.evidence ?? {}).length, `${what}: evidence`).toBeGreaterThan(0);
}

describe("check registry", () => {
  it("lists every file of src/compliance/checks once, each named for its check's id", () => {
    const files = readdirSync(new URL("../../src/compliance/checks/", import.meta.url)).filter((f) => f.endsWith(".ts") && f !== "registry.ts");
    const ids = checks.map((c) => c.definition.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(CHECKS).toHaveLength(files.length);
    expect([...ids].sort()).toEqual(files.map((f) => f.replace(/\.ts$/, "")).sort());
  });

  it("is what docs/compliance.md's catalogue shows (npm run docs:checks writes it)", () => {
    const doc = readFileSync(DOC, "utf8");
    expect(withCatalogue(doc, checkCatalogue(config)), "run npm run docs:checks").toBe(doc);
  });
});

describe.each(checks.map((c) => [c.definition.id, c] as const))("check %s", (id, check) => {
  const d = check.definition;

  it("has complete metadata", () => {
    expect(id).toMatch(new RegExp(`^${d.scope}-[a-z0-9]+(-[a-z0-9]+)*$`));
    expect(["high", "medium", "low"]).toContain(d.severity);
    for (const text of [d.title, d.rationale, d.remediation]) {
      expect(text.length).toBeGreaterThan(15);
      expect(text).not.toMatch(/\bundefined\b|\bNaN\b/);
    }
    expect(d.controls.length).toBeGreaterThan(0);
    for (const control of d.controls) {
      if (control.framework === "azure-policy") {
        expect(control.control).toMatch(GUID);
        expect(control.title?.length).toBeGreaterThan(10);
      }
      if (control.framework === "cis") {
        expect(CIS_VERSIONS).toContain(control.version);
        expect(control.control).toMatch(/^\d+(\.\d+)+$/);
        expect(control.title?.length).toBeGreaterThan(10);
      }
    }
    if (d.scope === "certificate") expect(d.controls.filter((c) => c.framework === "azure-policy")).toHaveLength(1);
    for (const value of Object.values(d.parameters))
      expect(["string", "number", "boolean"]).toContain(typeof (Array.isArray(value) ? (value[0] ?? "") : value));
  });

  if (isVaultCheck(check)) {
    it("passes a hardened vault and fails a weak one, with evidence", () => {
      const good = check.evaluate(HARDENED_VAULT, ctx);
      const weak = check.evaluate(WEAK_VAULT, { ...ctx, vault: WEAK_VAULT });
      expect([good.outcome, weak.outcome]).toEqual(["pass", "fail"]);
      expectJudged(good, "hardened vault");
      expectJudged(weak, "weak vault");
    });
    return;
  }

  it("never fails a compliant object and fails a non-compliant one, with a reason and evidence, never an error", () => {
    const judged = (set: typeof COMPLIANT) =>
      set.flatMap((facts) => {
        const verdict = judgeOne(check, facts, [], ctx);
        if (verdict) expectJudged(verdict, facts.item.name);
        return verdict ? [{ name: facts.item.name, outcome: verdict.outcome }] : [];
      });
    const compliant = judged(COMPLIANT);
    const nonCompliant = judged(NON_COMPLIANT);
    expect(
      compliant.filter((r) => r.outcome === "fail" || r.outcome === "error"),
      "compliant objects",
    ).toEqual([]);
    expect(
      nonCompliant.filter((r) => r.outcome === "error"),
      "non-compliant objects",
    ).toEqual([]);
    expect(
      nonCompliant.some((r) => r.outcome === "fail"),
      "a non-compliant object fails",
    ).toBe(true);
    // Soft-deleted objects are findings in themselves: that check has nothing to pass.
    if (!check.deleted)
      expect(
        [...compliant, ...nonCompliant].some((r) => r.outcome === "pass"),
        "something passes",
      ).toBe(true);
  });

  it("makes an unreadable part of the object an error, not a verdict", () => {
    const facts = COMPLIANT.find((f) => f.item.type === d.scope)!;
    const verdict = judgeOne(
      check,
      facts,
      ["versions: 503 ServiceUnavailable", "key parameters: 503", "rotation policy: 503", "certificate policy: 503", "certificate issuers: 503"],
      ctx,
    );
    if (verdict?.outcome === "error") expect(verdict.reason).toMatch(/^could not read its /);
  });
});
