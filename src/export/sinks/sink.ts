/**
 * @module A destination of the export: which sources it takes, what each record becomes for it, how items
 * are split into calls the service accepts, and one call. A call that throws leaves its items (and every
 * later one) for the next run.
 */
import type { ExportRecord, SourceName } from "../records.js";
import type { ExportOutput } from "../toEvents.js";

export interface ExportSink<T> {
  name: string;
  sources: readonly SourceName[];
  outputs(record: ExportRecord): ExportOutput<T>[];
  /** Refuses one item the service would refuse whatever happens (over a size limit), or undefined. */
  oversize(item: T): string | undefined;
  batches(items: readonly T[]): T[][];
  send(batch: readonly T[]): Promise<void>;
}

/**
 * Splits items into runs of at most `maxCount` whose JSON array stays within `maxBytes`, in order.
 * @param size - an item's JSON size in bytes
 */
export function sizedBatches<T>(items: readonly T[], maxBytes: number, maxCount: number, size: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 2;
  for (const item of items) {
    const itemBytes = size(item) + 1;
    if (current.length && (current.length >= maxCount || bytes + itemBytes > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 2;
    }
    current.push(item);
    bytes += itemBytes;
  }
  if (current.length) batches.push(current);
  return batches;
}

export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
