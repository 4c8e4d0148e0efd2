/**
 * @module The audit engine: records in time order → known-benign filter → every detector (which learn
 * into the baseline as they go) → findings, minus suppressed ones. Sources, the CLI and the scheduled
 * scan all drive it the same way: `process` batches, then `finish`.
 */
import { Baseline } from "./baseline.js";
import { benignReason, type BenignReason } from "./benign.js";
import type { Detector, DetectorInputs, DetectorRun, StepContext } from "./detectors/detector.js";
import { FindingCollector, type Finding, type Hit } from "./finding.js";
import type { AuditRecord } from "./record.js";
import { Suppressions } from "./suppressions.js";

/** Threshold overrides by detector id, then threshold name. */
export type ThresholdOverrides = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface EngineOptions {
  baseline?: Baseline;
  /** Days from the first record before baseline-based detectors report (default: the baseline window). */
  warmupDays?: number;
  inputs?: Partial<DetectorInputs>;
  thresholds?: ThresholdOverrides;
  suppressions?: Suppressions;
  /** kvguard's own object and app ids. */
  selfIds?: Iterable<string>;
  /** The detectors to run: the registry's set, which the app (or the CLI) hands over. */
  detectors: readonly Detector[];
}

export interface EngineResult {
  findings: Finding[];
  /** Findings dropped by suppression rules. */
  suppressed: number;
  records: number;
  benign: Record<BenignReason, number>;
}

/**
 * Each detector's thresholds with overrides applied.
 * @throws an Error naming an unknown detector or threshold
 */
export function resolveThresholds(detectors: readonly Detector[], overrides: ThresholdOverrides = {}): Record<string, number>[] {
  for (const [id, values] of Object.entries(overrides)) {
    const detector = detectors.find((d) => d.id === id);
    if (!detector) throw new Error(`unknown detector "${id}" in thresholds`);
    for (const name of Object.keys(values)) {
      if (!(name in detector.thresholds)) {
        throw new Error(`detector ${id} has no threshold "${name}" (it has: ${Object.keys(detector.thresholds).join(", ") || "none"})`);
      }
    }
  }
  return detectors.map((d) => ({
    ...Object.fromEntries(Object.entries(d.thresholds).map(([name, t]) => [name, t.value])),
    ...overrides[d.id],
  }));
}

export class AuditEngine {
  readonly baseline: Baseline;
  readonly #detectors: readonly Detector[];
  readonly #runs: DetectorRun[];
  readonly #thresholds: Record<string, number>[];
  readonly #emitters: ((hit: Hit) => void)[];
  readonly #collector = new FindingCollector();
  readonly #suppressions: Suppressions;
  readonly #selfIds: ReadonlySet<string>;
  readonly #warmupDays: number;
  readonly #ctx: StepContext;
  /** Operation name → the indexes of the detectors that look at it (active ones, in registry order). */
  readonly #routes = new Map<string, number[]>();
  #records = 0;
  #lastMs = 0;
  readonly #benign: Record<BenignReason, number> = { challenge: 0, "azure-scanner": 0, "app-service-reference": 0, kvguard: 0 };

  constructor(options: EngineOptions) {
    this.baseline = options.baseline ?? new Baseline();
    this.#detectors = options.detectors;
    this.#thresholds = resolveThresholds(this.#detectors, options.thresholds);
    this.#runs = this.#detectors.map((d) => d.create());
    this.#emitters = this.#detectors.map((d) => (hit: Hit) => this.#collector.add(d.id, d.severity, hit));
    this.#suppressions = options.suppressions ?? new Suppressions();
    this.#selfIds = new Set([...(options.selfIds ?? [])].map((id) => id.toLowerCase()));
    this.#warmupDays = options.warmupDays ?? this.baseline.windowDays;
    this.#ctx = {
      baseline: this.baseline,
      warm: false,
      benign: false,
      thresholds: {},
      inputs: { threatIntel: [], allowedNetworks: [], canaries: [], ...options.inputs },
      emit: () => undefined,
    };
  }

  /** The detectors a record of this operation goes to, worked out once per operation name. */
  #route(operation: string): number[] {
    let route = this.#routes.get(operation);
    if (!route) {
      route = [];
      for (let i = 0; i < this.#detectors.length; i++) {
        const d = this.#detectors[i]!;
        if ((d.handles?.(operation) ?? true) && (d.activeWith?.(this.#ctx.inputs) ?? true)) route.push(i);
      }
      // Odd input with endless operation names must not grow the map without bound.
      if (this.#routes.size >= 10_000) this.#routes.clear();
      this.#routes.set(operation, route);
    }
    return route;
  }

  /** Runs a batch of records (in time order) through the detectors that look at each. */
  process(batch: readonly AuditRecord[]): void {
    const ctx = this.#ctx;
    const runs = this.#runs;
    const detectors = this.#detectors;
    for (const record of batch) {
      this.#records++;
      if (record.timeMs > this.#lastMs) this.#lastMs = record.timeMs;
      this.baseline.advance(record.timeMs);
      const reason = benignReason(record, this.#selfIds);
      if (reason) this.#benign[reason]++;
      ctx.benign = reason !== undefined;
      ctx.warm = this.baseline.isWarm(record.timeMs, this.#warmupDays);
      const route = this.#route(record.operation);
      for (let k = 0; k < route.length; k++) {
        const i = route[k]!;
        if (ctx.benign && !detectors[i]!.seesBenign) continue;
        ctx.thresholds = this.#thresholds[i]!;
        ctx.emit = this.#emitters[i]!;
        runs[i]!.step(record, ctx);
      }
    }
  }

  /**
   * Ends the scan: detectors that look at what did not happen (silence) run, and suppressions apply.
   * @param endMs - when the scan ends (default: the last record's time)
   */
  finish(endMs = this.#lastMs): EngineResult {
    const warm = this.baseline.isWarm(endMs, this.#warmupDays);
    this.#runs.forEach((run, i) => run.finish?.({ baseline: this.baseline, warm, thresholds: this.#thresholds[i]!, endMs, emit: this.#emitters[i]! }));
    let suppressed = 0;
    const findings = this.#collector.findings().filter((f) => {
      if (!this.#suppressions.match(f)) return true;
      suppressed++;
      return false;
    });
    return { findings, suppressed, records: this.#records, benign: { ...this.#benign } };
  }
}

/**
 * Feeds a stream of record batches to an engine.
 * @param batches - records in time order, in batches
 * @param engine - the engine
 */
export async function runRecords(batches: AsyncIterable<AuditRecord[]>, engine: AuditEngine): Promise<void> {
  for await (const batch of batches) engine.process(batch);
}
