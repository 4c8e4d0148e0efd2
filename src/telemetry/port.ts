/**
 * @module What domains see of telemetry: count, measure, report gauges, and run work in a span. The app
 * builds it (src/app/telemetry.ts, over OpenTelemetry) only when telemetry is on; otherwise `noTelemetry`,
 * which costs nothing and loads nothing.
 */
import type { CounterName, GaugeName, HistogramName, MetricAttributes } from "./metrics.js";

export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

export interface SpanOptions {
  attributes?: SpanAttributes;
  /** producer: hands work to a queue; consumer: runs work from one (with `parent`). */
  kind?: "internal" | "producer" | "consumer";
  /** A W3C traceparent to continue (the one a queue message carried), instead of the current span. */
  parent?: string;
}

export interface Telemetry {
  count<N extends CounterName>(name: N, value: number, attributes: MetricAttributes<N>): void;
  record<N extends HistogramName>(name: N, value: number, attributes: MetricAttributes<N>): void;
  /** Replaces what the gauge reports (a sweep's counts) until the next call. */
  gauge<N extends GaugeName>(name: N, points: readonly { value: number; attributes: MetricAttributes<N> }[]): void;
  /** Runs `work` in a new span, the current one or `parent` its parent; a throw marks the span failed. */
  span<T>(name: string, work: () => Promise<T>, options?: SpanOptions): Promise<T>;
  /** Adds attributes to the current span (learned midway, such as the rotator). */
  annotate(attributes: SpanAttributes): void;
  /** The current span as a W3C traceparent, to carry in a queue message; undefined when not tracing. */
  traceparent(): string | undefined;
}

export const noTelemetry: Telemetry = {
  count() {},
  record() {},
  gauge() {},
  span: (_name, work) => work(),
  annotate() {},
  traceparent: () => undefined,
};
