/**
 * @module Audit records from a storage archive: container `insights-logs-auditevent`, blobs
 * `resourceId=/SUBSCRIPTIONS/…/VAULTS/NAME/y=/m=/d=/h=/m=00/PT1H.json`. Incremental: the watermark keeps
 * each blob's byte offset and line, so a run reads only what was appended since (Azure appends to the
 * current hour's blob through the hour), and stops at the last complete line. Blobs older than the horizon
 * are neither listed, read nor remembered.
 */
import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import type { AuditRecord } from "../record.js";
import { decodeRecords } from "./decode.js";
import type { IngestReport } from "./report.js";

export const ARCHIVE_CONTAINER = "insights-logs-auditevent";
const HOUR_MS = 3600_000;
const BLOB_HOUR = /y=(\d{4})\/m=(\d{2})\/d=(\d{2})\/h=(\d{2})\//;

export const archiveWatermark = z.object({
  /** Blobs whose hour starts before this (ms) are done. */
  horizonMs: z.number(),
  blobs: z.record(z.string(), z.object({ offset: z.number().int().nonnegative(), line: z.number().int().nonnegative() })),
});

export type ArchiveWatermark = z.infer<typeof archiveWatermark>;

/** The hour (ms) a blob holds by its name, or undefined outside the archive layout. */
export function blobHourMs(name: string): number | undefined {
  const m = BLOB_HOUR.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])) : undefined;
}

const VAULT_FOLDER = /\/(VAULTS|MANAGEDHSMS)\/[^/]+\/$/i;
/** resourceId=/SUBSCRIPTIONS/s/RESOURCEGROUPS/g/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/v/: 9 levels at most. */
const MAX_DEPTH = 10;

/**
 * The listing prefixes `…/VAULTS/NAME/y=YYYY/m=MM/` of every vault for the months from the horizon to now:
 * an archive keeps years of hourly blobs, and listing them all every scan would cost more than reading.
 */
async function monthPrefixes(container: ContainerClient, fromMs: number, toMs: number): Promise<string[]> {
  const vaults: string[] = [];
  const walk = async (prefix: string, depth: number): Promise<void> => {
    for await (const item of container.listBlobsByHierarchy("/", { prefix })) {
      if (item.kind !== "prefix") continue;
      if (VAULT_FOLDER.test(item.name)) vaults.push(item.name);
      else if (depth < MAX_DEPTH) await walk(item.name, depth + 1);
    }
  };
  await walk("resourceId=/", 0);
  const months: string[] = [];
  for (let d = new Date(fromMs); d.getTime() <= toMs; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) {
    months.push(`y=${d.getUTCFullYear()}/m=${String(d.getUTCMonth() + 1).padStart(2, "0")}/`);
  }
  return vaults.flatMap((vault) => months.map((month) => vault + month));
}

export interface ArchiveReadOptions {
  report: IngestReport;
  /** Where the last run stopped; a first run starts at `sinceMs`. */
  watermark?: ArchiveWatermark;
  sinceMs: number;
  nowMs: number;
  /** Blobs stay watched this long after their hour (Azure may still append), default 3 h. */
  settleMs?: number;
}

/**
 * Reads new records from the archive container. `result.watermark` is final once the iteration ends.
 * @param container - the `insights-logs-auditevent` container
 * @param options - watermark, start, clock, report
 */
export function readStorageArchive(container: ContainerClient, options: ArchiveReadOptions): { records: AsyncIterable<AuditRecord[]>; watermark: ArchiveWatermark } {
  const previous = options.watermark ?? { horizonMs: Math.floor(options.sinceMs / HOUR_MS) * HOUR_MS, blobs: {} };
  const watermark: ArchiveWatermark = { horizonMs: previous.horizonMs, blobs: { ...previous.blobs } };
  const settleMs = options.settleMs ?? 3 * HOUR_MS;
  async function* records(): AsyncGenerator<AuditRecord[]> {
    const blobs: { name: string; length: number; hour: number }[] = [];
    for (const prefix of await monthPrefixes(container, watermark.horizonMs, options.nowMs)) {
      for await (const blob of container.listBlobsFlat({ prefix })) {
        const hour = blobHourMs(blob.name);
        if (hour === undefined || hour < watermark.horizonMs) continue;
        blobs.push({ name: blob.name, length: blob.properties.contentLength ?? 0, hour });
      }
    }
    // Hour first so vaults interleave in time; then by name for a stable order.
    blobs.sort((a, b) => a.hour - b.hour || (a.name < b.name ? -1 : 1));
    for (const blob of blobs) {
      const mark = watermark.blobs[blob.name] ?? { offset: 0, line: 0 };
      if (blob.length <= mark.offset) continue;
      options.report.sources++;
      const response = await container.getBlobClient(blob.name).download(mark.offset, blob.length - mark.offset);
      const body = response.readableStreamBody;
      if (!body) continue;
      try {
        yield* decodeRecords(body as AsyncIterable<Buffer>, {
          source: blob.name,
          report: options.report,
          firstLine: mark.line + 1,
          // The current hour's blob may end mid-line; the rest is read next time.
          completeLinesOnly: blob.hour + HOUR_MS > options.nowMs - settleMs,
          onProgress: (line, bytes) => {
            watermark.blobs[blob.name] = { offset: mark.offset + bytes, line };
          },
        });
      } catch (error) {
        options.report.partial.push(`${blob.name}: ${(error as Error).message}`);
      }
    }
    // Blobs whose hour settled are finished: move the horizon past them and forget their offsets.
    const settled = Math.floor((options.nowMs - settleMs) / HOUR_MS) * HOUR_MS - HOUR_MS;
    if (settled > watermark.horizonMs) {
      watermark.horizonMs = settled;
      for (const name of Object.keys(watermark.blobs)) {
        const hour = blobHourMs(name);
        if (hour === undefined || hour < settled) delete watermark.blobs[name];
      }
    }
  }
  return { records: records(), watermark };
}
