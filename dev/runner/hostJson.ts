/**
 * @module The parts of host.json the local runner honours: the storage-queue trigger's polling, visibility
 * and poison settings, and the HTTP route prefix. Defaults are the Functions host's own.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface QueueSettings {
  /** Longest wait between polls of an empty queue (the host backs off up to this). */
  maxPollingIntervalMs: number;
  /** How long a failed message stays invisible before its next try. */
  visibilityTimeoutSeconds: number;
  /** Messages fetched at once per queue. */
  batchSize: number;
  /** A new batch is fetched when this few messages are still running. */
  newBatchThreshold: number;
  /** Tries before a message moves to `<queue>-poison`. */
  maxDequeueCount: number;
}

export interface HostSettings {
  queues: QueueSettings;
  routePrefix: string;
}

/** The host's defaults when host.json says nothing. */
export const HOST_DEFAULTS: HostSettings = {
  queues: { maxPollingIntervalMs: 60_000, visibilityTimeoutSeconds: 0, batchSize: 16, newBatchThreshold: 8, maxDequeueCount: 5 },
  routePrefix: "api",
};

/** `hh:mm:ss[.fff]` or `d.hh:mm:ss`, host.json's TimeSpan format, in milliseconds. */
export function timeSpanMs(text: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a TimeSpan (hh:mm:ss)`);
  const [, days, hours, minutes, seconds] = match;
  return Math.round(((Number(days ?? 0) * 24 + Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000);
}

/** The app's host.json: the first found walking up from this module (src/ when run from TypeScript, dist/src/ when built). */
export function findHostJson(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "host.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

interface HostJson {
  extensions?: {
    queues?: Partial<Record<"maxPollingInterval" | "visibilityTimeout", string> & Record<"batchSize" | "newBatchThreshold" | "maxDequeueCount", number>>;
    http?: { routePrefix?: string };
  };
}

export function readHostSettings(path = findHostJson()): HostSettings {
  if (!path) return HOST_DEFAULTS;
  const json = JSON.parse(readFileSync(path, "utf8")) as HostJson;
  const q = json.extensions?.queues ?? {};
  const d = HOST_DEFAULTS.queues;
  return {
    queues: {
      maxPollingIntervalMs: q.maxPollingInterval ? timeSpanMs(q.maxPollingInterval) : d.maxPollingIntervalMs,
      visibilityTimeoutSeconds: q.visibilityTimeout ? timeSpanMs(q.visibilityTimeout) / 1000 : d.visibilityTimeoutSeconds,
      batchSize: q.batchSize ?? d.batchSize,
      newBatchThreshold: q.newBatchThreshold ?? d.newBatchThreshold,
      maxDequeueCount: q.maxDequeueCount ?? d.maxDequeueCount,
    },
    routePrefix: json.extensions?.http?.routePrefix ?? HOST_DEFAULTS.routePrefix,
  };
}
