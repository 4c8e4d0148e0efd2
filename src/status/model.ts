/**
 * @module What the status page shows, per vault: rotation states and the last failures (status and history
 * tables), the next 30 days from the plan, open findings by severity (the findings table) and the compliance
 * trend (the scheduled report's snapshots). Each source is optional and read on its own: one that fails is
 * named on the page, the others still show. Properties, messages and counts only: never a secret value.
 */
import type { Finding, Severity } from "../audit/finding.js";
import { SEVERITIES } from "../audit/finding.js";
import { ensureError } from "../common/errors.js";
import { loadHistory } from "../compliance/report/snapshots.js";
import type { ReportHistory } from "../compliance/report/json.js";
import type { ReportStore } from "../compliance/report/store.js";
import { emptyTotals, passRate, type Totals } from "../compliance/report/summary.js";
import { buildPlan, type PlanSources, type VaultPlan } from "../plan/plan.js";
import type { History, HistoryRow } from "../rotation/history.js";
import type { RotationStatus } from "../rotation/status.js";
import { DAY_MS } from "../common/duration.js";
import { certificateInventory, type CertificateRow } from "./certificates.js";
import type { CertificateClient } from "@azure/keyvault-certificates";
import { consumerRows, type ConsumerRow } from "./consumers.js";

export const STATUS_DAYS = 30;
const FAILURES_SHOWN = 5;
const FINDINGS_SHOWN = 5;
const SNAPSHOTS_SHOWN = 12;
/** Findings have no closed state: those seen in the last 30 days count as open. */
const OPEN_FINDING_MS = 30 * DAY_MS;

export interface TrendPoint {
  generatedAt: string;
  totals: Totals;
  passRate: number | null;
}

export interface VaultStatus {
  vault: string;
  states: Record<RotationStatus["state"], number>;
  /** Objects whose last rotation did not end well, worst first. */
  attention: Pick<RotationStatus, "name" | "kind" | "state" | "lastError" | "lastErrorAt" | "nextAttemptAt">[];
  lastFailures: Pick<HistoryRow, "at" | "name" | "step" | "message">[];
  plan: VaultPlan;
  findings: Record<Severity, number>;
  latestFindings: Pick<Finding, "severity" | "detector" | "summary" | "end">[];
  trend: TrendPoint[];
  /** Every certificate and who renews it; empty when the page has no certificate reader. */
  certificates: CertificateRow[];
  /** Per secret, the consumers the revoke gate last counted and how many were still on the old version. */
  consumers: ConsumerRow[];
}

export interface StatusPage {
  generatedAt: string;
  days: number;
  vaults: VaultStatus[];
  /** Sources that could not be read, with why. */
  unavailable: { source: string; problem: string }[];
  /** Said once at the top (revokes on a fixed grace without an audit source). */
  notes: string[];
}

export interface StatusSources {
  plan: PlanSources;
  status: { list(vault?: string): Promise<RotationStatus[]> };
  history: Pick<History, "list">;
  findings?: { list(): Promise<Finding[]> };
  /** The scheduled compliance report's store and snapshot scope. */
  reports?: { store: ReportStore; scope: string };
  /** A certificate client for a vault by name (the certificate inventory). */
  certificates?: (vault: string) => CertificateClient | undefined;
  notes?: string[];
}

const STATE_ORDER: RotationStatus["state"][] = ["failed", "invalid-policy", "failing", "ok", "no-policy"];

async function optional<T>(unavailable: StatusPage["unavailable"], source: string, read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    unavailable.push({ source, problem: ensureError(error).message.split("\n")[0]!.slice(0, 300) });
    return fallback;
  }
}

function vaultTrend(past: ReportHistory["past"], vault: string): TrendPoint[] {
  return past.map((snapshot) => {
    const totals = emptyTotals();
    for (const r of snapshot.results) {
      if (r.vault.toLowerCase() !== vault.toLowerCase()) continue;
      totals[r.outcome] += 1;
      totals.total += 1;
    }
    return { generatedAt: snapshot.generatedAt, totals, passRate: passRate(totals) };
  });
}

export async function buildStatusPage(sources: StatusSources): Promise<StatusPage> {
  const now = sources.plan.nowMs;
  const unavailable: StatusPage["unavailable"] = [];
  const plan = await buildPlan(sources.plan, STATUS_DAYS);
  const findings = sources.findings ? await optional(unavailable, "findings", () => sources.findings!.list(), []) : [];
  const past = sources.reports
    ? await optional(
        unavailable,
        "compliance snapshots",
        async () => (await loadHistory(sources.reports!.store, sources.reports!.scope, "9999-12-31T00:00:00.000Z", SNAPSHOTS_SHOWN)).past,
        [],
      )
    : [];
  const vaults: VaultStatus[] = [];
  for (const vaultPlan of plan.vaults) {
    const vault = vaultPlan.vault;
    const statuses = await optional(unavailable, `rotation status of ${vault}`, () => sources.status.list(vault), []);
    const history = await optional(unavailable, `rotation history of ${vault}`, () => sources.history.list({ vault, limit: 200 }), []);
    const client = sources.certificates?.(vault);
    const certificates = client ? await optional(unavailable, `certificates of ${vault}`, () => certificateInventory(client, vault, statuses, now), []) : [];
    const states = Object.fromEntries(STATE_ORDER.map((s) => [s, 0])) as VaultStatus["states"];
    for (const s of statuses) states[s.state] += 1;
    const open = findings.filter((f) => (f.vault.toLowerCase() === vault.toLowerCase() || f.vault === "*") && now - Date.parse(f.end) <= OPEN_FINDING_MS);
    vaults.push({
      vault,
      states,
      attention: statuses
        .filter((s) => s.state === "failed" || s.state === "failing" || s.state === "invalid-policy")
        .sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || a.name.localeCompare(b.name))
        .map(({ name, kind, state, lastError, lastErrorAt, nextAttemptAt }) => ({
          name,
          kind,
          state,
          ...(lastError ? { lastError } : {}),
          ...(lastErrorAt ? { lastErrorAt } : {}),
          ...(nextAttemptAt ? { nextAttemptAt } : {}),
        })),
      lastFailures: history
        .filter((r) => r.outcome === "failed")
        .slice(0, FAILURES_SHOWN)
        .map(({ at, name, step, message }) => ({ at, name, step, message })),
      plan: vaultPlan,
      findings: Object.fromEntries(SEVERITIES.map((s) => [s, open.filter((f) => f.severity === s).length])) as Record<Severity, number>,
      latestFindings: open
        .sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || b.end.localeCompare(a.end))
        .slice(0, FINDINGS_SHOWN)
        .map(({ severity, detector, summary, end }) => ({ severity, detector, summary, end })),
      trend: vaultTrend(past, vault),
      certificates,
      consumers: consumerRows(statuses),
    });
  }
  return { generatedAt: plan.generatedAt, days: STATUS_DAYS, vaults, unavailable, notes: sources.notes ?? [] };
}
