/**
 * @module The local stack's stand-in for Azure Monitor: kvguard's metrics and spans go to in-memory readers
 * instead of Application Insights, and `summary()` prints what Azure Monitor would have received: each metric's
 * series, and one rotation's trace from its trigger to the Key Vault calls. Spans are kept per trace, the
 * newest traces only, so a long `npm start` does not grow without end.
 */
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader, type DataPoint, type Histogram } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { TelemetrySinks } from "../src/app/telemetry.js";

const KEPT_TRACES = 200;

/** Keeps the spans of the newest traces and counts every span. */
class RecentTraces implements SpanExporter {
  readonly traces = new Map<string, ReadableSpan[]>();
  spans = 0;

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) {
      const id = span.spanContext().traceId;
      this.traces.set(id, [...(this.traces.get(id) ?? []), span]);
      this.spans += 1;
    }
    for (const id of this.traces.keys()) {
      if (this.traces.size <= KEPT_TRACES) break;
      this.traces.delete(id);
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export class LocalTelemetry {
  readonly #metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Read when the summary is asked for; the interval only bounds how stale a long run's export gets.
  readonly #reader = new PeriodicExportingMetricReader({ exporter: this.#metrics, exportIntervalMillis: 3_600_000 });
  readonly #traces = new RecentTraces();
  readonly sinks: TelemetrySinks = { metricReader: this.#reader, spanExporter: this.#traces };

  /** What Azure Monitor would have received so far, as lines. */
  async summary(): Promise<string[]> {
    this.#metrics.reset();
    await this.#reader.forceFlush();
    const lines = ["Telemetry (kept in memory here; Application Insights receives the same with APPLICATIONINSIGHTS_CONNECTION_STRING):"];
    const metrics = this.#metrics.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    for (const metric of metrics) {
      for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
        const labels = Object.entries(point.attributes)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(",");
        const value = typeof point.value === "number" ? String(point.value) : `count ${point.value.count}, sum ${(point.value.sum ?? 0).toFixed(3)}`;
        lines.push(`  ${metric.descriptor.name}{${labels}} ${value}`);
      }
    }
    lines.push(`  ${this.#traces.spans} spans in ${this.#traces.traces.size} recent traces`);
    const rotation = [...this.#traces.traces.values()].find((spans) =>
      spans.some((s) => s.name === "kvguard.rotation" && s.attributes["kvguard.outcome"] === "rotated" && s.parentSpanContext),
    );
    if (rotation) lines.push("  one rotation's trace:", ...tree(rotation).map((line) => `    ${line}`));
    return lines;
  }
}

/** A trace's spans as an indented tree, in start order. */
function tree(spans: readonly ReadableSpan[]): string[] {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const children = (parent: string | undefined) =>
    spans
      .filter((s) => (parent ? s.parentSpanContext?.spanId === parent : !s.parentSpanContext || !ids.has(s.parentSpanContext.spanId)))
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  const lines: string[] = [];
  const walk = (span: ReadableSpan, depth: number) => {
    const object = span.attributes["kvguard.object"];
    lines.push(`${"  ".repeat(depth)}${span.name}${typeof object === "string" ? ` (${object})` : ""}`);
    for (const child of children(span.spanContext().spanId)) walk(child, depth + 1);
  };
  for (const root of children(undefined)) walk(root, 0);
  return lines;
}
