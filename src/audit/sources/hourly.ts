/**
 * @module The incremental reader both hourly audit layouts share (the storage archive's blobs and a local
 * folder of the same layout, `…/y=/m=/d=/h=/m=00/PT1H.json`): objects are read hour first so vaults
 * interleave in time, each from the byte offset and line its watermark mark keeps, so a scan reads only
 * what was appended since; an object whose hour has not settled may still be written, so its trailing
 * partial line is left for the next scan. Once an hour settles, the horizon moves past it and its marks are
 * forgotten. Where the objects are listed and read from is the caller's.
 */
import { z } from "zod";
import type { AuditRecord } from "../record.js";
import { decodeRecords } from "./decode.js";
import type { IngestReport } from "./report.js";

export const HOUR_MS = 3600_000;
const BLOB_HOUR = /y=(\d{4})\/m=(\d{2})\/d=(\d{2})\/h=(\d{2})\//;

/** Bytes and lines read from one object. */
export const hourlyMark = z.object({ offset: z.number().int().nonnegative(), line: z.number().int().nonnegative() });
export type HourlyMark = z.infer<typeof hourlyMark>;

/** The hour (ms) an object holds by its name, or undefined outside the archive layout. */
export function blobHourMs(name: string): number | undefined {
  const m = BLOB_HOUR.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])) : undefined;
}

export interface HourlyObject {
  /** Its name in the watermark (relative, forward slashes). */
  name: string;
  /** Where problems say it is. */
  source: string;
  bytes: number;
  /** Its hour (ms); +Infinity for an object outside the layout, followed by offset as long as it exists. */
  hour: number;
  /** Compressed: read whole, once (an offset inside it means nothing). */
  whole?: boolean;
}

export interface HourlyStore {
  /** The objects whose hour is at or after the horizon (they may list more; the rest are skipped). */
  list(horizonMs: number): Promise<HourlyObject[]>;
  /** The object's bytes from `offset` to its listed end (decompressed when whole), or undefined if gone. */
  open(object: HourlyObject, offset: number): Promise<{ body: AsyncIterable<Buffer>; close?: () => void } | undefined>;
}

export interface HourlyReadOptions {
  report: IngestReport;
  nowMs: number;
  /** Objects stay watched this long after their hour (they may still be appended to), default 3 h. */
  settleMs?: number;
}

/** The horizon a first read starts from: the hour `sinceMs` falls in. */
export function firstHorizon(sinceMs: number): number {
  return Math.floor(sinceMs / HOUR_MS) * HOUR_MS;
}

/**
 * Reads what is new in the store, updating `watermark.horizonMs` and `marks` as it goes (final once the
 * iteration ends).
 */
export async function* readHourly(
  store: HourlyStore,
  watermark: { horizonMs: number },
  marks: Record<string, HourlyMark>,
  options: HourlyReadOptions,
): AsyncGenerator<AuditRecord[]> {
  const settleMs = options.settleMs ?? 3 * HOUR_MS;
  const objects = (await store.list(watermark.horizonMs)).filter((o) => o.hour >= watermark.horizonMs);
  // Hour first so vaults interleave in time; then by name for a stable order.
  objects.sort((a, b) => a.hour - b.hour || (a.name < b.name ? -1 : 1));
  // The horizon never passes an object that failed: the next scan tries it again from its mark.
  let failedHour = Number.POSITIVE_INFINITY;
  for (const object of objects) {
    const mark = marks[object.name] ?? { offset: 0, line: 0 };
    if (object.bytes <= mark.offset) continue;
    options.report.sources++;
    const from = object.whole ? 0 : mark.offset;
    let opened: Awaited<ReturnType<HourlyStore["open"]>>;
    try {
      opened = await store.open(object, from);
      if (!opened) continue;
      yield* decodeRecords(opened.body, {
        source: object.source,
        report: options.report,
        firstLine: object.whole ? 1 : mark.line + 1,
        // The current hour's object may end mid-line; the rest is read next time.
        completeLinesOnly: !object.whole && object.hour + HOUR_MS > options.nowMs - settleMs,
        onProgress: (line, bytes) => {
          marks[object.name] = object.whole ? { offset: object.bytes, line } : { offset: from + bytes, line };
        },
      });
    } catch (error) {
      options.report.partial.push(`${object.source}: ${(error as Error).message}`);
      failedHour = Math.min(failedHour, object.hour);
    } finally {
      opened?.close?.();
    }
  }
  // Objects whose hour settled are finished: move the horizon past them and forget their marks.
  const settled = Math.min(Math.floor((options.nowMs - settleMs) / HOUR_MS) * HOUR_MS - HOUR_MS, failedHour);
  if (settled > watermark.horizonMs) {
    watermark.horizonMs = settled;
    for (const name of Object.keys(marks)) {
      const hour = blobHourMs(name);
      if (hour !== undefined && hour < settled) delete marks[name];
    }
  }
}
