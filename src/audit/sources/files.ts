/**
 * @module Audit records from files and folders: JSON lines, `{"records":[...]}` wrappers, JSON arrays,
 * gzip (by `.gz` or its magic bytes). Folders are walked; files are read in time order as far as their
 * names tell (the archive's `y=/m=/d=/h=` path, then the name), so vaults interleave hour by hour.
 */
import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createGunzip } from "node:zlib";
import type { AuditRecord } from "../record.js";
import { decodeRecords } from "./decode.js";
import { IngestReport, type IngestSummary } from "./report.js";

export const CHUNK_BYTES = 64 * 1024;
const RECORD_FILE = /\.(json|jsonl|ndjson|log|gz)$/i;
const ARCHIVE_HOUR = /y=(\d{4})\/m=(\d{2})\/d=(\d{2})\/h=(\d{2})/;

/** Sort key: the archive hour when the path has one, so `…/VAULTS/A/y=…/h=01` comes before `…/B/…/h=02`. */
function timeOrderKey(path: string): string {
  const m = ARCHIVE_HOUR.exec(path.replaceAll("\\", "/"));
  return m ? `${m[1]}${m[2]}${m[3]}${m[4]} ${path}` : `~ ${path}`;
}

/** Every record file under the given paths (files as given, folders walked), in time order. */
export async function listRecordFiles(paths: readonly string[], report: IngestReport): Promise<{ path: string; bytes: number }[]> {
  const files: { path: string; bytes: number }[] = [];
  const walk = async (path: string, explicit: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      report.bad(path, 0, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return;
    }
    if (info.isDirectory()) {
      const entries = await readdir(path);
      for (const entry of entries) if (!entry.startsWith(".")) await walk(join(path, entry), false);
    } else if (info.isFile() && (explicit || RECORD_FILE.test(path))) {
      files.push({ path, bytes: info.size });
    }
  };
  for (const path of paths) await walk(path, true);
  return files.sort((a, b) => (timeOrderKey(a.path) < timeOrderKey(b.path) ? -1 : 1));
}

export async function isGzip(path: string): Promise<boolean> {
  if (path.toLowerCase().endsWith(".gz")) return true;
  const handle = await open(path, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

export interface FileReadOptions {
  /** Called with the compressed bytes read so far across all files (for a progress bar). */
  onBytes?: (bytes: number) => void;
}

/**
 * Streams the records of one file (gzip or not), in batches. An unreadable or truncated file is reported
 * and ends there.
 * @param file - the file and its size
 * @param done - bytes of the files read before it (progress counts across files)
 */
export async function* readRecordFile(file: { path: string }, report: IngestReport, done = 0, options: FileReadOptions = {}): AsyncGenerator<AuditRecord[]> {
  // 64 KB chunks (the stream default): the text of a larger chunk is a large heap object, mapped and
  // unmapped each time, which costs more than decoding it.
  const raw = createReadStream(file.path, { highWaterMark: CHUNK_BYTES });
  try {
    const stream: AsyncIterable<Buffer> = (await isGzip(file.path)) ? raw.pipe(createGunzip()) : raw;
    // Progress counts bytes read from disk (compressed ones for .gz), so it matches the files' sizes.
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const chunk of stream) {
        options.onBytes?.(done + raw.bytesRead);
        yield chunk;
      }
    }
    yield* decodeRecords(counted(), { source: file.path, report });
  } catch (error) {
    stoppedReading(report, file.path, error);
  } finally {
    raw.destroy();
  }
}

/**
 * Decodes a piece of a JSON-lines file (whole lines), in stream-sized parts as a file read whole is.
 * @param each - called with each record, in order
 * @returns what the piece met (problems numbered from its first line) and its line count
 */
export async function decodePiece(bytes: Uint8Array, source: string, each: (record: AuditRecord) => void): Promise<{ report: IngestSummary; lines: number }> {
  const report = new IngestReport();
  let lines = 0;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += CHUNK_BYTES) parts.push(buffer.subarray(at, at + CHUNK_BYTES));
  for await (const batch of decodeRecords(parts, { source, report, lines: true, onProgress: (n) => (lines = n) })) {
    for (const record of batch) each(record);
  }
  return { report: report.toJSON(), lines };
}

/** A truncated gzip or an unreadable file spoils that file, not the run: it is reported and reading goes on. */
export function stoppedReading(report: IngestReport, path: string, error: unknown): void {
  report.bad(path, 0, `stopped reading: ${(error as Error).message}`);
}

/** Reads one file: `readRecordFile`, or another reader with its signature. */
export type FileReader = typeof readRecordFile;

/**
 * Streams the records of listed files, one after the other, counting each as a source.
 * @param read - how one file is read
 */
export async function* readListedFiles(
  files: readonly { path: string; bytes: number }[],
  report: IngestReport,
  options: FileReadOptions,
  read: FileReader = readRecordFile,
): AsyncGenerator<AuditRecord[]> {
  let done = 0;
  for (const file of files) {
    report.sources++;
    yield* read(file, report, done, options);
    done += file.bytes;
  }
}

/**
 * Streams the records of files and folders, in batches.
 * @param paths - files and folders
 * @param report - counts and malformed records
 */
export async function* readRecordFiles(paths: readonly string[], report: IngestReport, options: FileReadOptions = {}): AsyncGenerator<AuditRecord[]> {
  yield* readListedFiles(await listRecordFiles(paths, report), report, options);
}
