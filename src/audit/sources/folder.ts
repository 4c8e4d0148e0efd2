/**
 * @module Audit records from a local folder in the storage-archive layout (`…/VAULTS/NAME/y=/m=/d=/h=/
 * m=00/PT1H.json`), read incrementally like the archive container: the watermark keeps each file's byte
 * offset and line, so a scan reads only what was appended since, and stops at the last complete line of a
 * file still being written. The local Key Vault writes its audit logs this way, so the scheduled scan can
 * follow it (`KVGUARD_AUDIT_FOLDER`). Compressed files are read whole, once.
 */
import { createReadStream } from "node:fs";
import { relative, sep } from "node:path";
import { createGunzip } from "node:zlib";
import { z } from "zod";
import type { AuditRecord } from "../record.js";
import { decodeRecords } from "./decode.js";
import { CHUNK_BYTES, listRecordFiles } from "./files.js";
import type { IngestReport } from "./report.js";
import { blobHourMs } from "./storageArchive.js";

const HOUR_MS = 3600_000;

export const folderWatermark = z.object({
  /** Files whose hour starts before this (ms) are done. */
  horizonMs: z.number(),
  /** Path relative to the folder (forward slashes) → bytes and lines read. */
  files: z.record(z.string(), z.object({ offset: z.number().int().nonnegative(), line: z.number().int().nonnegative() })),
});

export type FolderWatermark = z.infer<typeof folderWatermark>;

export interface FolderReadOptions {
  report: IngestReport;
  /** Where the last scan stopped; a first scan starts at `sinceMs`. */
  watermark?: FolderWatermark;
  sinceMs: number;
  nowMs: number;
  /** Files stay watched this long after their hour (they may still be appended to), default 3 h. */
  settleMs?: number;
}

/**
 * Reads new records from the folder. `result.watermark` is final once the iteration ends.
 * @param root - the folder (the archive container's root)
 * @param options - watermark, start, clock, report
 */
export function readAuditFolder(root: string, options: FolderReadOptions): { records: AsyncIterable<AuditRecord[]>; watermark: FolderWatermark } {
  const previous = options.watermark ?? { horizonMs: Math.floor(options.sinceMs / HOUR_MS) * HOUR_MS, files: {} };
  const watermark: FolderWatermark = { horizonMs: previous.horizonMs, files: { ...previous.files } };
  const settleMs = options.settleMs ?? 3 * HOUR_MS;
  async function* records(): AsyncGenerator<AuditRecord[]> {
    const files: { name: string; path: string; bytes: number; hour: number }[] = [];
    for (const file of await listRecordFiles([root], options.report)) {
      const name = relative(root, file.path).split(sep).join("/");
      // Files outside the hourly layout never settle: they are followed by offset for as long as they exist.
      const hour = blobHourMs(name) ?? Number.POSITIVE_INFINITY;
      if (hour < watermark.horizonMs) continue;
      files.push({ name, path: file.path, bytes: file.bytes, hour });
    }
    // Hour first so vaults interleave in time; then by name for a stable order.
    files.sort((a, b) => a.hour - b.hour || (a.name < b.name ? -1 : 1));
    for (const file of files) {
      const mark = watermark.files[file.name] ?? { offset: 0, line: 0 };
      if (file.bytes <= mark.offset) continue;
      options.report.sources++;
      const gzip = file.name.toLowerCase().endsWith(".gz");
      const raw = createReadStream(file.path, gzip ? {} : { start: mark.offset, end: file.bytes - 1, highWaterMark: CHUNK_BYTES });
      try {
        yield* decodeRecords((gzip ? raw.pipe(createGunzip()) : raw) as AsyncIterable<Buffer>, {
          source: file.path,
          report: options.report,
          firstLine: gzip ? 1 : mark.line + 1,
          // The current hour's file may end mid-line; the rest is read next time.
          completeLinesOnly: !gzip && file.hour + HOUR_MS > options.nowMs - settleMs,
          onProgress: (line, bytes) => {
            watermark.files[file.name] = gzip ? { offset: file.bytes, line } : { offset: mark.offset + bytes, line };
          },
        });
      } catch (error) {
        options.report.partial.push(`${file.path}: ${(error as Error).message}`);
      } finally {
        raw.destroy();
      }
    }
    // Files whose hour settled are finished: move the horizon past them and forget their offsets.
    const settled = Math.floor((options.nowMs - settleMs) / HOUR_MS) * HOUR_MS - HOUR_MS;
    if (settled > watermark.horizonMs) {
      watermark.horizonMs = settled;
      for (const name of Object.keys(watermark.files)) {
        const hour = blobHourMs(name);
        if (hour !== undefined && hour < settled) delete watermark.files[name];
      }
    }
  }
  return { records: records(), watermark };
}
