/**
 * @module kvguard's metrics: each name with its instrument, unit and the only attribute keys it may carry.
 * Every key names a small, fixed set (rotators, outcomes, severities, vaults), never an object name or id,
 * so a time series per value stays cheap in Azure Monitor. docs/telemetry.md lists the same table.
 */
export interface MetricDefinition {
  instrument: "counter" | "histogram" | "gauge";
  unit: string;
  description: string;
  attributes: readonly string[];
}

export const METRICS = {
  "kvguard.rotations": {
    instrument: "counter",
    unit: "{rotation}",
    description: "Rotation jobs run, by rotator, outcome (rotated, not-due, failed, …), trigger and kind.",
    attributes: ["rotator", "outcome", "trigger", "kind"],
  },
  "kvguard.rotation.duration": {
    instrument: "histogram",
    unit: "s",
    description: "How long one rotation job ran, lock wait included.",
    attributes: ["rotator", "outcome", "kind"],
  },
  "kvguard.objects.due": {
    instrument: "gauge",
    unit: "{object}",
    description: "Secrets and keys whose rotation is due, as the last sweep saw them.",
    attributes: ["vault", "kind"],
  },
  "kvguard.objects.overdue": {
    instrument: "gauge",
    unit: "{object}",
    description: "Secrets and keys expired, or due for more than a day, as the last sweep saw them.",
    attributes: ["vault", "kind"],
  },
  "kvguard.objects.expiring": {
    instrument: "gauge",
    unit: "{object}",
    description: "Secrets and keys that expire within 7 or 30 days (within_days), as the last sweep saw them.",
    attributes: ["vault", "kind", "within_days"],
  },
  "kvguard.findings": {
    instrument: "counter",
    unit: "{finding}",
    description: "New audit findings, by detector and severity.",
    attributes: ["detector", "severity"],
  },
  "kvguard.audit.ingestion_lag": {
    instrument: "histogram",
    unit: "s",
    description: "How old the newest audit record was when the scan read it, by source.",
    attributes: ["source"],
  },
  "kvguard.alerts.sent": {
    instrument: "counter",
    unit: "{alert}",
    description: "Alert messages delivered, by sink type.",
    attributes: ["sink"],
  },
  "kvguard.alerts.failed": {
    instrument: "counter",
    unit: "{alert}",
    description: "Alert delivery attempts a sink refused or could not take (each retry counts), by sink type.",
    attributes: ["sink"],
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;
type Instrumented<K extends MetricDefinition["instrument"]> = { [N in MetricName]: (typeof METRICS)[N]["instrument"] extends K ? N : never }[MetricName];
export type CounterName = Instrumented<"counter">;
export type HistogramName = Instrumented<"histogram">;
export type GaugeName = Instrumented<"gauge">;

/** The attributes a metric may carry, by its declared keys. */
export type MetricAttributes<N extends MetricName> = Partial<Record<(typeof METRICS)[N]["attributes"][number], string | number>>;

/** Keeps only the metric's declared keys: whatever a caller adds never becomes a dimension. */
export function allowedAttributes(name: MetricName, attributes: Readonly<Record<string, string | number | undefined>>): Record<string, string | number> {
  const keys: readonly string[] = METRICS[name].attributes;
  return Object.fromEntries(
    Object.entries(attributes).filter((entry): entry is [string, string | number] => keys.includes(entry[0]) && entry[1] !== undefined),
  );
}
