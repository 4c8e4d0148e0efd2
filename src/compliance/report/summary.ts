/**
 * @module The numbers every report format shows, computed once from a run: outcome totals overall, by
 * framework and control, by vault and by check; the expiry timeline; rotation evidence. Formats only lay
 * these out, so the HTML, PDF, CSV and JSON cannot disagree.
 */
import { FRAMEWORKS } from "../../config/frameworks.js";
import type { CheckDefinition, CheckResult, ComplianceRun, ControlRef, Framework, InventoryItem, Outcome } from "../model.js";
import { DAY_MS } from "../../common/duration.js";

export const OUTCOMES: readonly Outcome[] = ["pass", "fail", "not-applicable", "error"];

/** Frameworks in the order reports list them. */

export const FRAMEWORK_LABELS: Record<Framework, string> = {
  "azure-policy": "Azure Policy",
  cis: "CIS Microsoft Azure Foundations",
  mcsb: "Microsoft cloud security benchmark",
  pci: "PCI DSS v4.0.1",
  "nist-800-57": "NIST SP 800-57 Part 1",
  "iso-27001": "ISO/IEC 27001:2022",
};

export type Totals = Record<Outcome, number> & { total: number };

export function emptyTotals(): Totals {
  return { pass: 0, fail: 0, "not-applicable": 0, error: 0, total: 0 };
}

function add(totals: Totals, outcome: Outcome): void {
  totals[outcome]++;
  totals.total++;
}

/** Share of assessed results (pass + fail) that pass, as a whole percentage; null when nothing was assessed. */
export function passRate(totals: Totals): number | null {
  const assessed = totals.pass + totals.fail;
  return assessed === 0 ? null : Math.round((totals.pass / assessed) * 1000) / 10;
}

/** What a group of results says as one: any failure fails it, then any error, then any pass. */
export function worstOutcome(totals: Totals): Outcome {
  if (totals.fail > 0) return "fail";
  if (totals.error > 0) return "error";
  if (totals.pass > 0) return "pass";
  return "not-applicable";
}

export interface ControlSummary {
  framework: Framework;
  control: string;
  version?: string;
  title?: string;
  checks: string[];
  totals: Totals;
  status: Outcome;
}

export interface FrameworkSummary {
  framework: Framework;
  label: string;
  totals: Totals;
  controls: ControlSummary[];
}

export interface VaultSummary {
  vault: string;
  objects: number;
  totals: Totals;
  error?: string;
}

export interface CheckSummary {
  checkId: string;
  title: string;
  severity: CheckDefinition["severity"];
  totals: Totals;
}

export interface ExpiryBucket {
  /** "expired", a month ("2026-12"), "later" or "none". */
  label: string;
  count: number;
}

export interface RotationEvidence {
  vault: string;
  type: "secret" | "key";
  name: string;
  objectId: string;
  versions?: number;
  latestVersionCreated?: string;
  /** Days since the newest version was made, at the run's time. */
  ageDays?: number;
  results: { checkId: string; outcome: Outcome; reason: string; evidence: Record<string, unknown> }[];
}

export interface ReportSummary {
  totals: Totals;
  byFramework: FrameworkSummary[];
  byVault: VaultSummary[];
  byCheck: CheckSummary[];
  /** Enabled objects not awaiting purge, by when they expire: expired, the next 12 months, later, none. */
  expiry: ExpiryBucket[];
  rotation: RotationEvidence[];
}

/** The frameworks a report covers: those the run was filtered to, else every one a check maps to. */
export function reportFrameworks(run: ComplianceRun): Framework[] {
  if (run.frameworks.length > 0) return FRAMEWORKS.filter((f) => run.frameworks.includes(f));
  return FRAMEWORKS.filter((f) => run.checks.some((c) => c.controls.some((ref) => ref.framework === f)));
}

/**
 * The run narrowed to its frameworks: checks mapping to none of them, and their results, are left out.
 * A run without a framework filter comes back as it is.
 */
export function scopeRun(run: ComplianceRun): ComplianceRun {
  if (run.frameworks.length === 0) return run;
  const checks = run.checks.filter((c) => c.controls.some((ref) => run.frameworks.includes(ref.framework)));
  const ids = new Set(checks.map((c) => c.id));
  return { ...run, checks, results: run.results.filter((r) => ids.has(r.checkId)) };
}

/** Natural order for control numbers ("8.3.10" after "8.3.9"). */
export function compareControls(a: Pick<ControlRef, "control" | "version">, b: Pick<ControlRef, "control" | "version">): number {
  const collator = new Intl.Collator("en", { numeric: true });
  return collator.compare(a.version ?? "", b.version ?? "") || collator.compare(a.control, b.control);
}

/** A result's key across runs: the same check on the same object. */
export function resultKey(result: Pick<CheckResult, "checkId" | "objectId">): string {
  return `${result.checkId}|${result.objectId}`;
}

/** Rotation checks are those whose id speaks of rotation ("secret-rotated-within-cryptoperiod", "key-rotation-policy"). */
export function isRotationCheck(checkId: string): boolean {
  return /rotat/i.test(checkId);
}

function expiryTimeline(inventory: readonly InventoryItem[], at: string): ExpiryBucket[] {
  const now = new Date(at);
  const months: string[] = [];
  for (let i = 0; i < 12; i++) months.push(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1)).toISOString().slice(0, 7));
  const counts = new Map<string, number>([["expired", 0], ...months.map((m): [string, number] => [m, 0]), ["later", 0], ["none", 0]]);
  const bump = (label: string) => counts.set(label, (counts.get(label) ?? 0) + 1);
  for (const item of inventory) {
    // A certificate's backing key and secret expire with it: counted once, as the certificate.
    if (!item.enabled || item.deleted || item.managed) continue;
    if (!item.expiresOn) bump("none");
    else if (item.expiresOn < at) bump("expired");
    else {
      const month = item.expiresOn.slice(0, 7);
      bump(counts.has(month) ? month : "later");
    }
  }
  return [...counts].map(([label, count]) => ({ label, count }));
}

function rotationEvidence(run: ComplianceRun): RotationEvidence[] {
  const byObject = new Map<string, CheckResult[]>();
  for (const r of run.results) {
    if (!isRotationCheck(r.checkId)) continue;
    const list = byObject.get(r.objectId) ?? [];
    list.push(r);
    byObject.set(r.objectId, list);
  }
  const at = Date.parse(run.generatedAt);
  return run.inventory
    .filter((i): i is InventoryItem & { type: "secret" | "key" } => (i.type === "secret" || i.type === "key") && !i.managed)
    .map((item) => ({
      vault: item.vault,
      type: item.type,
      name: item.name,
      objectId: item.id,
      ...(item.versions === undefined ? {} : { versions: item.versions }),
      ...(item.latestVersionCreated === undefined
        ? {}
        : { latestVersionCreated: item.latestVersionCreated, ageDays: Math.floor((at - Date.parse(item.latestVersionCreated)) / DAY_MS) }),
      results: (byObject.get(item.id) ?? []).map((r) => ({ checkId: r.checkId, outcome: r.outcome, reason: r.reason, evidence: r.evidence })),
    }));
}

export function summarize(input: ComplianceRun): ReportSummary {
  const run = scopeRun(input);
  const frameworks = reportFrameworks(run);
  const checks = new Map(run.checks.map((c) => [c.id, c]));
  const totals = emptyTotals();
  const byCheck = new Map(run.checks.map((c) => [c.id, { checkId: c.id, title: c.title, severity: c.severity, totals: emptyTotals() }]));
  const byVault = new Map<string, VaultSummary>();
  for (const v of run.vaults) byVault.set(v.name, { vault: v.name, objects: 0, totals: emptyTotals(), ...(v.error ? { error: v.error } : {}) });
  for (const item of run.inventory) {
    const summary = byVault.get(item.vault) ?? { vault: item.vault, objects: 0, totals: emptyTotals() };
    summary.objects++;
    byVault.set(item.vault, summary);
  }
  const byFramework = new Map(
    frameworks.map((f) => [f, { framework: f, label: FRAMEWORK_LABELS[f], totals: emptyTotals(), controls: new Map<string, ControlSummary>() }]),
  );
  for (const r of run.results) {
    const check = checks.get(r.checkId);
    add(totals, r.outcome);
    if (check) add(byCheck.get(check.id)!.totals, r.outcome);
    const vault = byVault.get(r.vault) ?? { vault: r.vault, objects: 0, totals: emptyTotals() };
    add(vault.totals, r.outcome);
    byVault.set(r.vault, vault);
    if (!check) continue;
    const counted = new Set<Framework>();
    for (const ref of check.controls) {
      const framework = byFramework.get(ref.framework);
      if (!framework) continue;
      // A result counts once per framework even when its check maps to several of the framework's controls.
      if (!counted.has(ref.framework)) add(framework.totals, r.outcome);
      counted.add(ref.framework);
      const key = `${ref.version ?? ""}|${ref.control}`;
      let control = framework.controls.get(key);
      if (!control) {
        control = {
          framework: ref.framework,
          control: ref.control,
          ...(ref.version ? { version: ref.version } : {}),
          ...(ref.title ? { title: ref.title } : {}),
          checks: [],
          totals: emptyTotals(),
          status: "not-applicable",
        };
        framework.controls.set(key, control);
      }
      if (!control.checks.includes(check.id)) control.checks.push(check.id);
      add(control.totals, r.outcome);
    }
  }
  // Controls whose checks had nothing to judge still appear, as not applicable.
  for (const check of run.checks) {
    for (const ref of check.controls) {
      const framework = byFramework.get(ref.framework);
      const key = `${ref.version ?? ""}|${ref.control}`;
      if (!framework) continue;
      const control = framework.controls.get(key);
      if (!control) {
        framework.controls.set(key, {
          framework: ref.framework,
          control: ref.control,
          ...(ref.version ? { version: ref.version } : {}),
          ...(ref.title ? { title: ref.title } : {}),
          checks: [check.id],
          totals: emptyTotals(),
          status: "not-applicable",
        });
      } else if (!control.checks.includes(check.id)) control.checks.push(check.id);
    }
  }
  return {
    totals,
    byFramework: [...byFramework.values()].map((f) => ({
      framework: f.framework,
      label: f.label,
      totals: f.totals,
      controls: [...f.controls.values()].map((c) => ({ ...c, status: worstOutcome(c.totals) })).sort(compareControls),
    })),
    byVault: [...byVault.values()].sort((a, b) => a.vault.localeCompare(b.vault)),
    byCheck: [...byCheck.values()],
    expiry: expiryTimeline(run.inventory, run.generatedAt),
    rotation: rotationEvidence(run),
  };
}
