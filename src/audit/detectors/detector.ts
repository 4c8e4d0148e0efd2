/**
 * @module The detector contract. A detector is one file `<tactic>_<subject>.ts` exporting metadata (id,
 * name, tactic, default severity, description, false positives, thresholds) and `create()`, which returns
 * the per-run state that sees every record in time order through `step`. Detectors learn into the shared
 * baseline as they go; those that compare against it emit only once it is warm.
 */
import type { Baseline } from "../baseline.js";
import type { Hit, Severity } from "../finding.js";
import type { Cidr } from "../../common/network.js";
import type { AuditRecord } from "../record.js";

export const TACTICS = [
  "credential_access",
  "collection",
  "defense_evasion",
  "discovery",
  "execution",
  "impact",
  "initial_access",
  "persistence",
  "privilege_escalation",
] as const;
export type Tactic = (typeof TACTICS)[number];

/** Lists and names the detectors match against, from settings or CLI flags. */
export interface DetectorInputs {
  threatIntel: readonly Cidr[];
  allowedNetworks: readonly Cidr[];
  /** Canary objects: `name` (any vault) or `vault/name`, lower case. */
  canaries: readonly string[];
}

export interface StepContext {
  baseline: Baseline;
  /** Past the warm-up: detectors that compare with the baseline may report. */
  warm: boolean;
  /** A known-benign record (challenge, Azure's own scanners, kvguard itself): learn from it, report nothing. */
  benign: boolean;
  /** This detector's thresholds (defaults with settings applied). */
  thresholds: Readonly<Record<string, number>>;
  inputs: DetectorInputs;
  emit(hit: Hit): void;
}

export interface FinishContext {
  baseline: Baseline;
  warm: boolean;
  thresholds: Readonly<Record<string, number>>;
  /** When the scan ends: the last record's time for files, the clock for scheduled scans. */
  endMs: number;
  emit(hit: Hit): void;
}

export interface DetectorRun {
  step(record: AuditRecord, ctx: StepContext): void;
  /** After the last record (silence is only seen at the end). */
  finish?(ctx: FinishContext): void;
}

export interface Threshold {
  value: number;
  description: string;
}

export interface Detector {
  /** Stable: the file name. */
  id: string;
  name: string;
  tactic: Tactic;
  severity: Severity;
  description: string;
  /** Why it judges the way it does (what it learns, what it weighs), for the catalogue; detectors that learn explain it. */
  rationale?: string;
  falsePositives: string[];
  /** Where the idea comes from (detection.md row, public rules). */
  references: string[];
  thresholds: Record<string, Threshold>;
  /** Whether it compares against learned history (then silent during warm-up). */
  usesBaseline: boolean;
  /** Whether benign records reach it (to learn, not to report). */
  seesBenign?: boolean;
  /**
   * The operations it looks at (default: all). The engine asks once per operation name and shows the
   * detector no record of another, so this must answer exactly what `step` would return early on.
   */
  handles?(operation: string): boolean;
  /** Whether it can report anything with these inputs (default: yes); an idle detector sees no record. */
  activeWith?(inputs: DetectorInputs): boolean;
  create(): DetectorRun;
}
