/**
 * @module The detectors over the labelled routine corpus (routine work with evasive attacks hidden in it) on
 * several seeds: every scenario found by its detector, the routine-hidden purges leading their findings'
 * evidence, at most one medium-or-higher false finding per vault-week; and the classes of routine work the
 * corpus holds stay quiet for the reasons the findings give.
 */
import { describe, expect, it } from "vitest";
import { Baseline } from "../../src/audit/baseline.js";
import { AuditEngine } from "../../src/audit/engine.js";
import type { Finding } from "../../src/audit/finding.js";
import { fromAuditEvent } from "../../src/audit/parse/archive.js";
import { falseRate, formatScores, matches, scoreRoutine, scoreSeeded, type CorpusScore } from "../helpers/auditScore.js";
import { generateRoutineCorpus, ROUTINE_WARMUP_DAYS } from "../helpers/routineCorpus.js";
import { detectors } from "../../src/audit/detectors/registry.js";

const SEEDS = [1, 2, 3];

describe("the routine corpus, on several seeds", () => {
  const scores: CorpusScore[] = SEEDS.map(scoreRoutine);

  it.each(SEEDS.map((seed, i) => [seed, scores[i]!] as const))(
    "seed %i: every scenario is found, and at most one false medium+ finding per vault-week",
    (_seed, score) => {
      const table = formatScores([score]);
      expect(Object.values(score.found).every(Boolean), table).toBe(true);
      expect(Object.keys(score.found).length).toBeGreaterThanOrEqual(7);
      expect(falseRate(score), `${table}\n${score.falseFindings.map((f) => `${f.detector}: ${f.summary}`).join("\n")}`).toBeLessThanOrEqual(1);
    },
  );

  it("keeps the original corpus's scenarios and its quiet benign week", () => {
    const seeded = scoreSeeded(7);
    expect(Object.entries(seeded.found).filter(([, found]) => !found)).toEqual([]);
    expect(falseRate(seeded)).toBeLessThanOrEqual(1);
  });
});

describe("what the findings say", () => {
  const corpus = generateRoutineCorpus({ seed: 4, attacks: true });
  const engine = new AuditEngine({ detectors, baseline: new Baseline(14), warmupDays: ROUTINE_WARMUP_DAYS, selfIds: corpus.selfIds });
  engine.process(corpus.records.map(fromAuditEvent));
  const findings = engine.finish().findings;
  const reported = findings.filter((f) => Date.parse(f.end) >= corpus.evalFromMs);
  const of = (detector: string): Finding[] => reported.filter((f) => f.detector === detector);

  it("reports the purge hidden in a routine run with the odd record first, and no routine clean-up", () => {
    for (const label of corpus.labels.filter((l) => l.kind === "routine-hidden")) {
      const finding = findings.find((f) => matches(f, label));
      expect(finding, label.scenario).toBeDefined();
      expect(label.leadsWith).toContain(finding!.evidence[0]);
      expect(finding!.summary).toMatch(/outside its routine \(it did not create this object/);
    }
    const destructive = of("impact_destructive_operation");
    expect(destructive.filter((f) => /backup-|pr-\d+-/.test(f.object ?? ""))).toEqual([]);
    expect(destructive.filter((f) => f.summary.includes("ran SecretBackup"))).toEqual([]);
    // The finding says what the routine is.
    expect(destructive.find((f) => f.object?.includes("/secrets/"))!.summary).toMatch(/it usually runs Secret(Delete|Purge) on secrets\/(backup|pr)-#/);
  });

  it("keeps the nightly test-key clean-up quiet as key material, and names its routine in the hidden purge's finding", () => {
    const keys = of("impact_key_material");
    expect(keys.filter((f) => /\/keys\/it-/.test(f.object ?? ""))).toEqual([]);
    expect(keys.map((f) => f.object)).toEqual(expect.arrayContaining(["data/keys/docs-kek"]));
    expect(keys.find((f) => f.summary.includes("ran KeyPurge"))!.summary).toMatch(/it usually runs KeyPurge on keys\/it-#-kek at 22h UTC/);
    expect(keys.find((f) => f.summary.includes("ran KeyPurge"))!.severity).toBe("high");
  });

  it("says how unusual a short silence is against the vault's hours of the week", () => {
    const gap = corpus.labels.find((l) => l.kind === "audit-gap")!;
    const finding = of("defense_evasion_audit_gap").find((f) => matches(f, gap))!;
    expect(finding.summary).toMatch(
      /wrote no audit record for [12]\.\d h .*\d+\.\d× the longest silence it had at these hours of the week over the last 2 week\(s\)/,
    );
    expect(finding.baseline).toMatchObject({ weeksLearned: 2 });
    expect((finding.baseline as { longestSilenceAtTheseHoursMinutes: number }).longestSilenceAtTheseHoursMinutes).toBeLessThan(40);
  });

  it("reports an ordinary onboarding low, and a night-time grant followed by broad reads medium", () => {
    const onboarding = reported.filter((f) => f.summary.includes("an ordinary onboarding so far"));
    expect(onboarding.length).toBeGreaterThan(0);
    expect(onboarding.every((f) => f.severity === "low")).toBe(true);
    const night = corpus.labels.find((l) => l.kind === "onboarding")!;
    const grant = findings.find((f) => matches(f, night))!;
    expect(grant.severity).toBe("medium");
    expect(grant.summary).toMatch(/outside its usual hours/);
  });

  it("never calls an unwrap or decrypt with an older key version stale, but does a signature", () => {
    const stale = of("credential_access_stale_version_read");
    expect(stale.filter((f) => f.object?.includes("docs-kek"))).toEqual([]);
    expect(stale.some((f) => f.summary.includes("signed with version"))).toBe(true);
  });

  it("accumulates a known app's new objects over days into one finding naming its history", () => {
    const slow = of("credential_access_new_object_creep");
    expect(slow.length).toBeGreaterThan(0);
    expect(slow[0]!.summary).toMatch(/read \d+ objects of vault data it had never read in the last 7 days/);
    expect(slow[0]!.evidence.length).toBeGreaterThanOrEqual(6);
  });
});
