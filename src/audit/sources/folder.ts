/**
 * @module Audit records from a local folder in the storage-archive layout (`…/VAULTS/NAME/y=/m=/d=/h=/
 * m=00/PT1H.json`), read incrementally like the archive container (`hourly.ts`): the watermark keeps each
 * file's byte offset and line, so a scan reads only what was appended since, and stops at the last
 * complete line of a file still being written. The local Key Vault writes its audit logs this way, so the
 * scheduled scan can follow it (`KVGUARD_AUDIT_FOLDER`). Compressed files are read whole, once.
 */
import { createReadStream } from "node:fs";
import { relative, sep } from "node:path";
import { createGunzip } from "node:zlib";
import { z } from "zod";
import type { AuditRecord } from "../record.js";
import { CHUNK_BYTES, listRecordFiles } from "./files.js";
import { blobHourMs, firstHorizon, hourlyMark, readHourly, type HourlyStore } from "./hourly.js";
import type { IngestReport } from "./report.js";

export const folderWatermark = z.object({
  /** Files whose hour starts before this (ms) are done. */
  horizonMs: z.number(),
  /** Path relative to the folder (forward slashes) → bytes and lines read. */
  files: z.record(z.string(), hourlyMark),
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

function folderStore(root: string, report: IngestReport): HourlyStore {
  return {
    async list() {
      return (await listRecordFiles([root], report)).map((file) => {
        const name = relative(root, file.path).split(sep).join("/");
        // Files outside the hourly layout never settle: they are followed by offset for as long as they exist.
        return { name, source: file.path, bytes: file.bytes, hour: blobHourMs(name) ?? Number.POSITIVE_INFINITY, whole: name.toLowerCase().endsWith(".gz") };
      });
    },
    open(file, offset) {
      const raw = createReadStream(file.source, file.whole ? {} : { start: offset, end: file.bytes - 1, highWaterMark: CHUNK_BYTES });
      return Promise.resolve({ body: (file.whole ? raw.pipe(createGunzip()) : raw) as AsyncIterable<Buffer>, close: () => raw.destroy() });
    },
  };
}

/**
 * Reads new records from the folder. `result.watermark` is final once the iteration ends.
 * @param root - the folder (the archive container's root)
 * @param options - watermark, start, clock, report
 */
export function readAuditFolder(root: string, options: FolderReadOptions): { records: AsyncIterable<AuditRecord[]>; watermark: FolderWatermark } {
  const previous = options.watermark ?? { horizonMs: firstHorizon(options.sinceMs), files: {} };
  const watermark: FolderWatermark = { horizonMs: previous.horizonMs, files: { ...previous.files } };
  return { records: readHourly(folderStore(root, options.report), watermark, watermark.files, options), watermark };
}
