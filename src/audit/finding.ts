/**
 * @module Findings: one JSON object per anomaly, with an id stable per detector + subject + time window, so
 * a rerun over the same records (or an overlapping scan) updates a finding instead of adding another.
 * Detectors report hits; `FindingCollector` merges the hits of one finding (count, time range, evidence).
 */
import { createHash } from "node:crypto";
import { principalLabel, type AuditRecord } from "./record.js";

export const SEVERITIES = ["low", "medium", "high"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Correlation ids kept as evidence per finding. */
const EVIDENCE_KEPT = 20;

export interface Finding {
  id: string;
  detector: string;
  severity: Severity;
  vault: string;
  principal: { oid?: string; appid?: string; upn?: string };
  ip: string;
  /** The object (`vault/type/name`) when the finding is about one. */
  object?: string;
  start: string;
  end: string;
  count: number;
  summary: string;
  /** Correlation ids of the records behind the finding (the first ones). */
  evidence: string[];
  /** What the detector compared against (learned history, threshold, list); null for rule-only detectors. */
  baseline: Record<string, unknown> | null;
}

/** What a detector reports about one record. */
export interface Hit {
  record: AuditRecord;
  /** What the finding is about, unique within the detector (such as `vault|principal`). */
  subject: string;
  /** Findings group hits by this window (ms): one finding per subject per window. */
  windowMs: number;
  summary: string;
  baseline?: Record<string, unknown> | null;
  severity?: Severity;
  /** The vault, when not the record's (`*` for findings across vaults). */
  vault?: string;
  object?: string;
  /** Events the finding stands for so far, when more than the hits (a threshold crossed after N events). */
  total?: number;
  /** Extra correlation ids (records seen before the threshold was crossed). */
  evidence?: string[];
  /** When the finding starts, if before the record (a silence that began earlier). */
  start?: string;
}

export function findingId(detector: string, subject: string, windowStartMs: number): string {
  return createHash("sha256").update(`${detector}\n${subject}\n${windowStartMs}`).digest("hex").slice(0, 32);
}

const ZERO_CORRELATION = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

export class FindingCollector {
  readonly #findings = new Map<string, Finding>();

  add(detector: string, defaultSeverity: Severity, hit: Hit): void {
    const r = hit.record;
    const time = new Date(r.timeMs).toISOString();
    const windowStart = Math.floor(r.timeMs / hit.windowMs) * hit.windowMs;
    const id = findingId(detector, hit.subject, windowStart);
    let finding = this.#findings.get(id);
    if (!finding) {
      const { oid, appid, upn } = r.principal;
      finding = {
        id,
        detector,
        severity: hit.severity ?? defaultSeverity,
        vault: hit.vault ?? r.vault.name,
        principal: { ...(oid ? { oid } : {}), ...(appid ? { appid } : {}), ...(upn ? { upn } : {}) },
        ip: r.ip,
        ...(hit.object ? { object: hit.object } : {}),
        start: hit.start && hit.start < time ? hit.start : time,
        end: time,
        count: 0,
        summary: hit.summary,
        evidence: [],
        baseline: hit.baseline ?? null,
      };
      this.#findings.set(id, finding);
    }
    finding.count = Math.max(finding.count + 1, hit.total ?? 0);
    const start = hit.start && hit.start < time ? hit.start : time;
    if (start < finding.start) finding.start = start;
    if (time > finding.end) finding.end = time;
    finding.summary = hit.summary;
    if (hit.baseline !== undefined) finding.baseline = hit.baseline;
    if (hit.severity && SEVERITIES.indexOf(hit.severity) > SEVERITIES.indexOf(finding.severity)) finding.severity = hit.severity;
    for (const cid of [...(hit.evidence ?? []), r.correlationId]) {
      if (finding.evidence.length >= EVIDENCE_KEPT) break;
      if (cid && !ZERO_CORRELATION.test(cid) && !finding.evidence.includes(cid)) finding.evidence.push(cid);
    }
  }

  /** Findings in time order. */
  findings(): Finding[] {
    return [...this.#findings.values()].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : 1));
  }
}

/** A one-line form for summaries: who did it. */
export function who(record: AuditRecord): string {
  return principalLabel(record.principal);
}
