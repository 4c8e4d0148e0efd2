/**
 * @module What the local stack's Application Insights received: kvguard sends its metrics and spans through
 * the Azure Monitor exporter to the local cloud's ingestion endpoint (`/v2.1/track`), and `summary()` reads
 * them back from there: each metric's series (counters and histograms summed over the exports, gauges as last
 * sent) and one rotation's trace from its trigger to the Key Vault calls, built from the items' operation and
 * parent ids.
 */
import type { Envelope, LocalAppInsights } from "../emulator/cloud/appInsights/index.js";
import type { App } from "../src/app/index.js";
import { METRICS, type MetricName } from "../src/telemetry/metrics.js";

/** The component `npm start` sends to. */
export const LOCAL_COMPONENT = "kvguard-local";

interface MetricPoint {
  name: string;
  value: number;
  count?: number;
}

type Series = { value: number; count: number; histogram: boolean };

export class LocalTelemetry {
  constructor(
    readonly app: App,
    readonly appInsights: LocalAppInsights,
    readonly cloudUrl: string,
  ) {}

  /** What the endpoint received so far (after sending what waits for its interval), as lines. */
  async summary(): Promise<string[]> {
    await this.app.flushTelemetry();
    const component = this.appInsights.get(LOCAL_COMPONENT);
    const items = component ? this.appInsights.items(component).map((r) => r.item) : [];
    const lines = [
      `Telemetry (the Azure Monitor exporter's, received at ${this.cloudUrl}/v2.1/track; all of it: GET /management/appinsights/components/${LOCAL_COMPONENT}/items):`,
    ];
    const series = new Map<string, Series>();
    for (const item of items.filter((i) => i.data.baseType === "MetricData")) {
      const properties = (item.data.baseData.properties ?? {}) as Record<string, string>;
      const labels = Object.entries(properties)
        .filter(([k]) => !k.startsWith("_MS."))
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      for (const point of item.data.baseData.metrics as MetricPoint[]) {
        const instrument = METRICS[point.name as MetricName]?.instrument;
        if (!instrument) continue;
        const key = `${point.name}{${labels}}`;
        const histogram = instrument === "histogram";
        const gauge = instrument === "gauge";
        const before = series.get(key) ?? { value: 0, count: 0, histogram };
        // Counters and histograms arrive as deltas per export; gauges as their current value.
        series.set(key, { value: gauge ? point.value : before.value + point.value, count: before.count + (point.count ?? 1), histogram });
      }
    }
    for (const [key, s] of [...series].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`  ${key} ${s.histogram ? `count ${s.count}, sum ${s.value.toFixed(3)}` : String(s.value)}`);
    }
    const spans = items.filter((i) => i.data.baseType === "RequestData" || i.data.baseType === "RemoteDependencyData");
    lines.push(`  ${series.size} metric series, ${spans.length} spans`);
    const rotation = spans.find((i) => property(i, "kvguard.outcome") === "rotated" && i.tags?.["ai.operation.parentId"]);
    if (rotation) {
      const operation = rotation.tags?.["ai.operation.id"];
      lines.push("  one rotation's trace:", ...tree(spans.filter((i) => i.tags?.["ai.operation.id"] === operation)).map((line) => `    ${line}`));
    }
    return lines;
  }
}

function property(item: Envelope, name: string): string | undefined {
  return ((item.data.baseData.properties ?? {}) as Record<string, string>)[name];
}

/** A trace's items as an indented tree, in time order. */
function tree(items: readonly Envelope[]): string[] {
  const ids = new Set(items.map((i) => i.data.baseData.id as string));
  const children = (parent: string | undefined) =>
    items
      .filter((i) => {
        const of = i.tags?.["ai.operation.parentId"];
        return parent ? of === parent : !of || !ids.has(of);
      })
      .sort((a, b) => a.time.localeCompare(b.time));
  const lines: string[] = [];
  const walk = (item: Envelope, depth: number) => {
    const object = property(item, "kvguard.object");
    lines.push(`${"  ".repeat(depth)}${String(item.data.baseData.name)}${object ? ` (${object})` : ""}`);
    for (const child of children(item.data.baseData.id as string)) walk(child, depth + 1);
  };
  for (const root of children(undefined)) walk(root, 0);
  return lines;
}
