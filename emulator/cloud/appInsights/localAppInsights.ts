/**
 * @module Application Insights' ingestion on the local cloud: components (a name and an instrumentation key,
 * kept in `appinsights.json` of the state folder) and what the track API accepted for each, in memory, the
 * newest items only. A track call is judged item by item as the service does: an item without its envelope's
 * fields (`name`, `time`, `iKey`, `data.baseType`, `data.baseData`) or with a key no component has is refused
 * (400 for it), the rest accepted; the answer counts both and lists the refusals by index.
 */
import { randomUUID } from "node:crypto";
import type { LocalKeyVault } from "../../localKeyVault.js";
import { CloudError } from "../host.js";
import { StateFile } from "../stateFile.js";

/** Items kept per component: a long `npm start` does not grow without end. */
const KEPT_ITEMS = 20_000;

export interface Component {
  name: string;
  instrumentationKey: string;
}

/** A telemetry item as the track API takes it (its JSON field names). */
export interface Envelope {
  name: string;
  time: string;
  iKey: string;
  tags?: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> };
}

export interface ReceivedItem {
  receivedAt: string;
  item: Envelope;
}

export interface TrackAnswer {
  status: 200 | 206 | 400;
  body: { itemsReceived: number; itemsAccepted: number; appId: null; errors: { index: number; statusCode: number; message: string }[] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Why the service would refuse this item, or undefined. */
function envelopeProblem(item: unknown, keys: ReadonlySet<string>): string | undefined {
  if (!isObject(item)) return "Item is not a JSON object.";
  for (const field of ["name", "time", "iKey"]) {
    if (typeof item[field] !== "string" || item[field] === "") return `Field '${field}' on type 'Envelope' is required but missing or empty.`;
  }
  if (Number.isNaN(Date.parse(item.time as string))) return `Field 'time' on type 'Envelope' is not a valid date and time.`;
  if (!keys.has((item.iKey as string).toLowerCase())) return "Invalid instrumentation key";
  const data = item.data;
  if (!isObject(data) || typeof data.baseType !== "string" || data.baseType === "") return "Field 'baseType' on type 'Data' is required but missing or empty.";
  if (!isObject(data.baseData)) return "Field 'baseData' on type 'Data' is required but missing or not an object.";
  return undefined;
}

export class LocalAppInsights {
  readonly #components = new Map<string, Component>();
  readonly #items = new Map<string, ReceivedItem[]>();
  readonly #file: StateFile<{ components: Component[] }>;
  baseUrl = "https://127.0.0.1";

  constructor(readonly kv: LocalKeyVault) {
    this.#file = new StateFile(kv.options.stateDir, "appinsights.json");
    for (const component of this.#file.read()?.components ?? []) this.#components.set(component.name.toLowerCase(), component);
  }

  get(name: string): Component | undefined {
    return this.#components.get(name.toLowerCase());
  }

  list(): Component[] {
    return [...this.#components.values()];
  }

  /** A component, made on first ask: its key stays the same across restarts of the stack. */
  ensure(name: string): Component {
    const existing = this.get(name);
    if (existing) return existing;
    if (!/^[A-Za-z0-9_.()-]{1,255}$/.test(name)) throw new CloudError(400, "BadRequest", "A component name has 1 to 255 letters, digits and _ . - ( ).");
    const component = { name, instrumentationKey: randomUUID() };
    this.#components.set(name.toLowerCase(), component);
    this.#file.write({ components: this.list() });
    return component;
  }

  /** The connection string an exporter is given: the key and this cloud as the ingestion endpoint. */
  connectionString(component: Component): string {
    return `InstrumentationKey=${component.instrumentationKey};IngestionEndpoint=${this.baseUrl}/`;
  }

  items(component: Component): ReceivedItem[] {
    return this.#items.get(component.instrumentationKey.toLowerCase()) ?? [];
  }

  clear(component: Component): void {
    this.#items.delete(component.instrumentationKey.toLowerCase());
  }

  /** One track call's items (already parsed from JSON). */
  track(body: unknown): TrackAnswer {
    const items = Array.isArray(body) ? body : [body];
    const keys = new Set(this.list().map((c) => c.instrumentationKey.toLowerCase()));
    const errors: TrackAnswer["body"]["errors"] = [];
    const receivedAt = new Date(this.kv.clock.nowMs()).toISOString();
    items.forEach((item, index) => {
      const problem = envelopeProblem(item, keys);
      if (problem) {
        errors.push({ index, statusCode: 400, message: problem });
        return;
      }
      const envelope = item as Envelope;
      const key = envelope.iKey.toLowerCase();
      const kept = this.#items.get(key) ?? [];
      kept.push({ receivedAt, item: envelope });
      kept.splice(0, Math.max(0, kept.length - KEPT_ITEMS));
      this.#items.set(key, kept);
    });
    const accepted = items.length - errors.length;
    return {
      status: errors.length === 0 ? 200 : accepted > 0 ? 206 : 400,
      body: { itemsReceived: items.length, itemsAccepted: accepted, appId: null, errors },
    };
  }
}
