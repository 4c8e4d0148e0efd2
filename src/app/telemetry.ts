/**
 * @module Telemetry over OpenTelemetry, built by the app only when it is on (this module is imported then):
 * a meter and a tracer provider of kvguard's own, exporting to Azure Monitor (or to the readers a test or
 * the local stack hands in), and the Azure SDKs' spans (@azure/core-tracing) joined to kvguard's traces.
 */
import type { TokenCredential } from "@azure/core-auth";
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ProxyTracerProvider,
  trace,
  SpanKind,
  SpanStatusCode,
  type Span,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { allowedAttributes, METRICS, type GaugeName, type MetricName } from "../telemetry/metrics.js";
import type { SpanOptions, Telemetry } from "../telemetry/port.js";

/** Where telemetry goes instead of Azure Monitor: tests' in-memory exporters, the local stack's summary. */
export interface TelemetrySinks {
  metricReader: MetricReader;
  spanExporter: SpanExporter;
}

export interface TelemetryHandle {
  telemetry: Telemetry;
  /** Exports what is pending now, without waiting for the next interval (the local stack's summary). */
  flush(): Promise<void>;
  /** Exports what is pending and stops (the app's close). */
  shutdown(): Promise<void>;
}

const EXPORT_INTERVAL_MS = 60_000;
const w3c = new W3CTraceContextPropagator();
const SPAN_KINDS = { internal: SpanKind.INTERNAL, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER } as const;

/**
 * The process-wide tracer provider the Azure SDKs' instrumenter asks on every span: it answers with the
 * provider of the app that last turned telemetry on (OpenTelemetry's global can be set only once).
 */
let activeProvider: TracerProvider | undefined;
/** Without a delegate it makes non-recording spans: no app has telemetry on. */
const idleProvider = new ProxyTracerProvider();
let globalsSet = false;
async function setGlobalsOnce(): Promise<void> {
  if (globalsSet) return;
  globalsSet = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(w3c);
  trace.setGlobalTracerProvider({ getTracer: (name, version, options) => (activeProvider ?? idleProvider).getTracer(name, version, options) });
  // The Azure SDKs make spans through @azure/core-tracing's instrumenter: hand it OpenTelemetry's. The
  // instrumentation's own module hooks stay off (enabled: false); its patch is applied to the loaded module.
  const [{ AzureSdkInstrumentation }, coreTracing] = await Promise.all([
    import("@azure/opentelemetry-instrumentation-azure-sdk"),
    import("@azure/core-tracing"),
  ]);
  for (const definition of new AzureSdkInstrumentation({ enabled: false }).getModuleDefinitions()) definition.patch?.({ ...coreTracing });
}

export async function createTelemetry(options: {
  connectionString?: string;
  credential?: TokenCredential;
  sinks?: TelemetrySinks;
  /** The local stack's CA: its cloud is the ingestion endpoint. */
  ca?: string;
}): Promise<TelemetryHandle> {
  const resource = resourceFromAttributes({ "service.name": "kvguard" });
  let reader: MetricReader;
  let spans: SpanExporter;
  if (options.sinks) {
    reader = options.sinks.metricReader;
    spans = options.sinks.spanExporter;
  } else {
    const { AzureMonitorMetricExporter, AzureMonitorTraceExporter } = await import("@azure/monitor-opentelemetry-exporter");
    const exporterOptions = {
      connectionString: options.connectionString,
      ...(options.credential ? { credential: options.credential } : {}),
      // Against the local cloud: trust its CA, and keep nothing unsent in the machine's temp folder for a later run.
      ...(options.ca ? { tlsOptions: { ca: options.ca }, disableOfflineStorage: true } : {}),
    };
    reader = new PeriodicExportingMetricReader({ exporter: new AzureMonitorMetricExporter(exporterOptions), exportIntervalMillis: EXPORT_INTERVAL_MS });
    spans = new AzureMonitorTraceExporter(exporterOptions);
  }
  const meters = new MeterProvider({ resource, readers: [reader] });
  const tracers = new BasicTracerProvider({
    resource,
    // Tests read spans as they end; Azure Monitor gets them in batches.
    spanProcessors: [options.sinks ? new SimpleSpanProcessor(spans) : new BatchSpanProcessor(spans)],
  });
  await setGlobalsOnce();
  activeProvider = tracers;
  const meter = meters.getMeter("kvguard");
  const tracer: Tracer = tracers.getTracer("kvguard");

  const counters = new Map<string, ReturnType<typeof meter.createCounter>>();
  const histograms = new Map<string, ReturnType<typeof meter.createHistogram>>();
  const gauges = new Map<GaugeName, readonly { value: number; attributes: Record<string, string | number> }[]>();
  for (const [name, definition] of Object.entries(METRICS) as [MetricName, (typeof METRICS)[MetricName]][]) {
    const info = { unit: definition.unit, description: definition.description };
    if (definition.instrument === "counter") counters.set(name, meter.createCounter(name, info));
    else if (definition.instrument === "histogram") histograms.set(name, meter.createHistogram(name, info));
    else {
      const gaugeName = name as GaugeName;
      meter.createObservableGauge(name, info).addCallback((result) => {
        for (const point of gauges.get(gaugeName) ?? []) result.observe(point.value, point.attributes);
      });
    }
  }

  const telemetry: Telemetry = {
    count: (name, value, attributes) => counters.get(name)!.add(value, allowedAttributes(name, attributes)),
    record: (name, value, attributes) => histograms.get(name)!.record(value, allowedAttributes(name, attributes)),
    gauge: (name, points) =>
      gauges.set(
        name,
        points.map((p) => ({ value: p.value, attributes: allowedAttributes(name, p.attributes) })),
      ),
    span<T>(name: string, work: () => Promise<T>, spanOptions: SpanOptions = {}): Promise<T> {
      // A traceparent that does not parse starts a new trace: the work itself never depends on it.
      const parent = spanOptions.parent ? w3c.extract(context.active(), { traceparent: spanOptions.parent }, defaultTextMapGetter) : context.active();
      // Application Insights names a request made from a consumer span by this attribute alone (no HTTP server
      // here): without it the worker's request arrives unnamed. The exporter does not keep it as a property.
      const attributes = spanOptions.kind === "consumer" ? { ...spanOptions.attributes, "ai.operation.name": name } : spanOptions.attributes;
      return tracer.startActiveSpan(
        name,
        { kind: SPAN_KINDS[spanOptions.kind ?? "internal"], ...(attributes ? { attributes } : {}) },
        parent,
        async (span: Span) => {
          try {
            return await work();
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : "error" });
            throw error;
          } finally {
            span.end();
          }
        },
      );
    },
    annotate: (attributes) => trace.getActiveSpan()?.setAttributes(attributes),
    traceparent() {
      const carrier: Record<string, string> = {};
      w3c.inject(context.active(), carrier, defaultTextMapSetter);
      return carrier.traceparent;
    },
  };
  return {
    telemetry,
    async flush() {
      await Promise.all([tracers.forceFlush(), meters.forceFlush()]);
    },
    async shutdown() {
      if (activeProvider === tracers) activeProvider = undefined;
      await Promise.allSettled([tracers.shutdown(), meters.shutdown()]);
    },
  };
}
