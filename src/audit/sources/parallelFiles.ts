/**
 * @module Audit files read by a pool of parse threads: this thread reads each JSON-lines file in pieces
 * of whole lines and hands them out in order; the threads parse and normalise (the costly part) while
 * this one runs the detectors on the pieces already back, in file order, and parses a held-back piece
 * itself whenever it would otherwise wait. Records, their order and the report (problems with file and
 * line) are the same as `readRecordFiles` gives. Single-document files (a JSON array, a pretty-printed
 * wrapper) and small inputs are read in this thread.
 */
import { createReadStream, existsSync } from "node:fs";
import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { createGunzip } from "node:zlib";
import type { AuditRecord } from "../record.js";
import { isDocument, LONG_LINE_MARK, MAX_LINE_BYTES } from "./decode.js";
import { decodePiece, isGzip, listRecordFiles, readListedFiles, readRecordFile, stoppedReading, type FileReadOptions } from "./files.js";
import { RecordUnpacker, type PackedRecords } from "./recordBatch.js";
import type { IngestReport, IngestSummary } from "./report.js";

/** A piece handed to a thread: about this many bytes, cut after a newline. */
const PIECE_BYTES = 1024 * 1024;
/**
 * Pieces out per thread: enough queued that neither side idles while the other has a slow stretch (4
 * measured faster than 2 over the 1 GB bench file; each costs about 1 MB of memory).
 */
const PIECES_PER_THREAD = 4;
/** Pieces read ahead and kept back from the threads, for this thread to parse when it would wait. */
const PIECES_HELD = 2;
/** Below this much input, starting threads costs more than they save. */
const POOL_FROM_BYTES = 16 * 1024 * 1024;
const NEWLINE = 10;

// The compiled worker sits beside this module; run from TypeScript sources (the tests) there is none.
const WORKER = new URL("./parseWorker.js", import.meta.url);

export interface ParseJob {
  source: string;
  bytes: Uint8Array;
}

export type ParseResult = { packed: PackedRecords; report: IngestSummary; lines: number } | { error: string };

export interface AuditFileOptions extends FileReadOptions {
  /** Parse threads: 0 reads in this thread; default: one per core but this thread's, for 16 MB or more of input (none on one core). */
  threads?: number;
}

/** A parse thread died or threw: a fault of kvguard, not of the input, so the read stops. */
class ParseThreadError extends Error {
  override readonly name = "ParseThreadError";
}

interface Thread {
  worker: Worker;
  unpacker: RecordUnpacker;
  /** Resolvers of the pieces it was given, oldest first. */
  waiting: { resolve: (result: ParseResult) => void; reject: (error: Error) => void }[];
}

/** A piece handed to a thread. */
interface Sent {
  thread: Thread;
  result: Promise<ParseResult>;
  /** The result is in (so taking it will not wait). */
  settled: boolean;
}

class ParsePool {
  readonly #threads: Thread[];

  constructor(size: number) {
    this.#threads = Array.from({ length: size }, () => {
      // A small young generation: parsing makes short-lived garbage only, and over the 1 GB bench file 8 MB
      // (not V8's default, several times that) cut peak RSS by 15-30 MB at no cost in time.
      const thread: Thread = { worker: new Worker(WORKER, { resourceLimits: { maxYoungGenerationSizeMb: 8 } }), unpacker: new RecordUnpacker(), waiting: [] };
      thread.worker.on("message", (result: ParseResult) => thread.waiting.shift()?.resolve(result));
      const fail = (error: Error) => {
        for (const w of thread.waiting.splice(0)) w.reject(new ParseThreadError(`an audit parse thread failed: ${error.message}`));
      };
      thread.worker.on("error", fail);
      thread.worker.on("exit", (code) => fail(new Error(`it stopped (exit code ${code})`)));
      return thread;
    });
  }

  get size(): number {
    return this.#threads.length;
  }

  /** The least busy thread, if one has room for another piece. */
  free(): Thread | undefined {
    let best: Thread | undefined;
    for (const t of this.#threads) if (t.waiting.length < PIECES_PER_THREAD && (!best || t.waiting.length < best.waiting.length)) best = t;
    return best;
  }

  /** Hands a piece to a thread; its result comes once parsed (unpack a thread's results in hand-out order). */
  parse(thread: Thread, job: ParseJob): Sent {
    const result = new Promise<ParseResult>((resolve, reject) => thread.waiting.push({ resolve, reject }));
    const sent: Sent = { thread, result, settled: false };
    // Awaited later, in order; a thread that dies first must not count as an unhandled rejection.
    result.then(
      () => (sent.settled = true),
      () => (sent.settled = true),
    );
    thread.worker.postMessage(job, [job.bytes.buffer as ArrayBuffer]);
    return sent;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#threads.map((t) => {
        t.worker.removeAllListeners("exit");
        return t.worker.terminate();
      }),
    );
  }
}

/**
 * A file's bytes (gunzipped) in pieces of whole lines; the last may end without a newline. A read that
 * fails still gives the whole lines before the failure, then throws.
 */
async function* pieces(path: string, onBytes: (read: number) => void): AsyncGenerator<Uint8Array> {
  yield* (await isGzip(path)) ? gunzippedPieces(path, onBytes) : plainPieces(path, onBytes);
}

/**
 * A plain file read straight into the buffers that are handed out (no copy but the partial last line's),
 * the next piece read while this one is handed out.
 */
async function* plainPieces(path: string, onBytes: (read: number) => void): AsyncGenerator<Uint8Array> {
  const file = await open(path, "r");
  let position = 0;
  // Fresh buffers each time: one handed to a thread is gone from this one.
  let data = Buffer.allocUnsafeSlow(PIECE_BYTES);
  let size = 0;
  const fill = async (): Promise<void> => {
    while (size < data.length) {
      const { bytesRead } = await file.read(data, size, data.length - size, position);
      if (bytesRead === 0) return;
      size += bytesRead;
      position += bytesRead;
      onBytes(position);
    }
  };
  let filling = fill();
  let skipping = false;
  try {
    for (;;) {
      await filling;
      if (skipping) {
        // A line over the cap: its bytes are dropped up to its end, which becomes a marked line.
        const nl = data.subarray(0, size).indexOf(NEWLINE);
        if (nl < 0 && size === data.length) {
          size = 0;
          filling = fill();
          continue;
        }
        skipping = false;
        yield markLongLine();
        if (nl < 0) {
          size = 0;
          break;
        }
        data.copyWithin(0, nl + 1, size);
        size -= nl + 1;
        filling = fill();
        continue;
      }
      if (size < data.length) break;
      const last = data.lastIndexOf(NEWLINE);
      if (last < 0 && size >= MAX_LINE_BYTES) {
        skipping = true;
        data = Buffer.allocUnsafeSlow(PIECE_BYTES);
        size = 0;
        filling = fill();
        continue;
      }
      // The partial last line starts the next piece; a line longer than a piece grows it.
      const lines = data;
      data = Buffer.allocUnsafeSlow(size - (last + 1) + PIECE_BYTES);
      size = lines.copy(data, 0, last + 1);
      filling = fill();
      if (last >= 0) yield new Uint8Array(lines.buffer, lines.byteOffset, last + 1);
    }
  } catch (error) {
    const last = data.subarray(0, size).lastIndexOf(NEWLINE);
    if (last >= 0) yield new Uint8Array(data.buffer, data.byteOffset, last + 1);
    throw error;
  } finally {
    // A reader stopped early leaves a read in flight: it ends before the file closes.
    await filling.catch(() => undefined);
    await file.close();
  }
  if (size > 0) yield new Uint8Array(data.buffer, data.byteOffset, size);
}

/** The line put in place of one over the cap (the parser reports it with its line number). */
function markLongLine(): Uint8Array {
  const mark = Buffer.allocUnsafeSlow(LONG_LINE_MARK.length + 1);
  mark.write(`${LONG_LINE_MARK}\n`, "latin1");
  return new Uint8Array(mark.buffer, mark.byteOffset, mark.length);
}

/** The parts in one buffer of its own: never a slice of Node's shared pool, which cannot be transferred. */
function gather(parts: Buffer[], size: number): Buffer {
  const data = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const part of parts) at += part.copy(data, at);
  return data;
}

/**
 * The whole lines of `parts` as bytes that can be transferred (the gathered copy itself), and the partial
 * last line, copied apart.
 */
function cut(parts: Buffer[], size: number): { lines?: Uint8Array; rest: Buffer[] } {
  const data = gather(parts, size);
  const last = data.lastIndexOf(NEWLINE);
  if (last < 0) return { rest: [data] };
  return { lines: new Uint8Array(data.buffer, data.byteOffset, last + 1), rest: last + 1 < size ? [Buffer.from(data.subarray(last + 1))] : [] };
}

/** A gzip file's bytes as gunzip gives them, gathered into pieces of whole lines. */
async function* gunzippedPieces(path: string, onBytes: (read: number) => void): AsyncGenerator<Uint8Array> {
  const raw = createReadStream(path, { highWaterMark: PIECE_BYTES });
  let parts: Buffer[] = [];
  let size = 0;
  try {
    let skipping = false;
    for await (let chunk of raw.pipe(createGunzip()) as AsyncIterable<Buffer>) {
      onBytes(raw.bytesRead);
      if (skipping) {
        // A line over the cap: dropped up to its end, which becomes a marked line.
        const nl = chunk.indexOf(NEWLINE);
        if (nl < 0) continue;
        skipping = false;
        yield markLongLine();
        chunk = chunk.subarray(nl + 1);
      }
      parts.push(chunk);
      size += chunk.length;
      // Gathered only when a line ends in this chunk: a long line is not copied again for each chunk.
      if (size < PIECE_BYTES || (size < MAX_LINE_BYTES && chunk.indexOf(NEWLINE) < 0)) continue;
      const { lines, rest } = cut(parts, size);
      parts = rest;
      size = rest[0]?.length ?? 0;
      if (lines) yield lines;
      else if (size >= MAX_LINE_BYTES) {
        skipping = true;
        parts = [];
        size = 0;
      }
    }
    if (skipping) yield markLongLine();
  } catch (error) {
    const { lines } = cut(parts, size);
    if (lines) yield lines;
    throw error;
  } finally {
    raw.destroy();
  }
  if (size > 0) yield gather(parts, size);
}

/** Whether a file's first piece shows JSON lines (not one document), judged as `decodeRecords` would. */
function startsJsonLines(first: Uint8Array): boolean {
  const bytes = Buffer.from(first.buffer, first.byteOffset, first.byteLength);
  for (let start = 0; start < bytes.length;) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    const text = bytes.toString("utf8", start, end);
    // Files saved by Windows tools may open with a byte-order mark.
    const line = start === 0 ? text.replace(/^\uFEFF/, "") : text;
    if (line.trim()) return !isDocument(line);
    start = end + 1;
  }
  return false;
}

/** A piece of a file on its way to records: parsed by a thread, or here when this thread would wait. */
interface Piece {
  bytes: Uint8Array;
  sent?: Sent;
  here?: { records: AuditRecord[]; report: IngestSummary; lines: number };
}

async function parseHere(piece: Piece, source: string): Promise<void> {
  const records: AuditRecord[] = [];
  piece.here = { records, ...(await decodePiece(piece.bytes, source, (record) => records.push(record))) };
}

/**
 * One JSON-lines file through the pool; anything else is read in this thread. Pieces go to the threads in
 * file order; when the next one due is not back yet, this thread parses the last piece no thread has
 * rather than wait, so the work balances whichever side is slower on this machine.
 */
async function* readInPool(
  pool: ParsePool,
  file: { path: string },
  report: IngestReport,
  done = 0,
  options: FileReadOptions = {},
): AsyncGenerator<AuditRecord[]> {
  const source = file.path;
  const read = pieces(source, (n) => options.onBytes?.(done + n));
  const queue: Piece[] = [];
  let lineBase = 0;
  const send = () => {
    for (const piece of queue) {
      if (piece.sent || piece.here) continue;
      const thread = pool.free();
      if (!thread) return;
      piece.sent = pool.parse(thread, { source, bytes: piece.bytes });
    }
  };
  async function* take(): AsyncGenerator<AuditRecord[]> {
    const head = queue[0]!;
    for (let i = queue.length - 1; i > 0 && head.sent && !head.sent.settled; i--) {
      const spare = queue[i]!;
      if (spare.sent) break;
      if (spare.here) continue;
      await parseHere(spare, source);
      // Let the threads' messages in, so a result that came meanwhile is seen as settled.
      await new Promise(setImmediate);
    }
    if (!head.sent && !head.here) await parseHere(head, source);
    queue.shift();
    let records: AuditRecord[];
    let summary: IngestSummary;
    let lines: number;
    if (head.sent) {
      const parsed = await head.sent.result;
      if ("error" in parsed) throw new ParseThreadError(`an audit parse thread failed: ${parsed.error}`);
      records = head.sent.thread.unpacker.unpack(parsed.packed);
      ({ report: summary, lines } = parsed);
    } else {
      ({ records, report: summary, lines } = head.here!);
    }
    report.merge({ ...summary, problems: summary.problems.map((p) => ({ ...p, line: p.line > 0 ? p.line + lineBase : 0 })) });
    lineBase += lines;
    send();
    if (records.length > 0) yield records;
  }
  try {
    const first = await read.next();
    if (first.done) return;
    if (!startsJsonLines(first.value)) {
      await read.return(undefined);
      yield* readRecordFile(file, report, done, options);
      return;
    }
    queue.push({ bytes: first.value });
    send();
    for await (const bytes of read) {
      queue.push({ bytes });
      send();
      if (queue.length >= pool.size * PIECES_PER_THREAD + PIECES_HELD) yield* take();
    }
  } catch (error) {
    if (error instanceof ParseThreadError) throw error;
    while (queue.length > 0) yield* take();
    stoppedReading(report, source, error);
    return;
  }
  while (queue.length > 0) yield* take();
}

/** Parse threads for this much input: 0 when small, or when there is no compiled worker to start. */
function threadsFor(bytes: number, asked: number | undefined): number {
  if (asked !== undefined) return asked;
  if (bytes < POOL_FROM_BYTES || !existsSync(fileURLToPath(WORKER))) return 0;
  // This thread runs the detectors, about as costly as parsing: one thread per other core, and one more
  // thread than cores only costs switching (on 2 cores, 19 µs a record with 1 thread, 19–22 µs with 2).
  // On one core a parse thread would only add the packing.
  return availableParallelism() - 1;
}

/**
 * Streams the records of files and folders, in batches, parsing large inputs in a pool of threads.
 * @param paths - files and folders
 * @param report - counts and malformed records
 */
export async function* readAuditFiles(paths: readonly string[], report: IngestReport, options: AuditFileOptions = {}): AsyncGenerator<AuditRecord[]> {
  const files = await listRecordFiles(paths, report);
  const threads = threadsFor(
    files.reduce((n, f) => n + f.bytes, 0),
    options.threads,
  );
  const pool = threads > 0 ? new ParsePool(threads) : undefined;
  try {
    yield* readListedFiles(files, report, options, pool ? (file, r, done, o) => readInPool(pool, file, r, done, o) : readRecordFile);
  } finally {
    await pool?.close();
  }
}
