/**
 * @module Bytes → audit records, streaming: JSON lines (one record, or one `{"records":[...]}` wrapper, a
 * line), or one JSON document (a record array, a records wrapper, a pretty-printed record). The form is
 * told from the first line. Records come out in batches, so a large file costs one promise per chunk,
 * not per record.
 */
import { isAscii } from "node:buffer";
import type { AuditRecord } from "../record.js";
import { fromAuditEvent } from "../parse/archive.js";
import { isObject, RecordError } from "../parse/fields.js";
import type { IngestReport } from "./report.js";

/** A whole-document source larger than this is refused. */
const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;
/**
 * A JSON line longer than this is skipped and reported (an AuditEvent is a few KB; a records wrapper from
 * Event Hubs is at most 1 MB): holding and re-copying an endless line would cost time quadratic in its length.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** Readers that cut input into pieces put this one-byte line where they skipped a line over the cap. */
export const LONG_LINE_MARK = "\0";
const NEWLINE = 10;

export interface DecodeOptions {
  /** Name used in problems. */
  source: string;
  report: IngestReport;
  /** Line number of the first byte (for reads that resume inside a blob). */
  firstLine?: number;
  /** Called with the line count and bytes consumed through the last complete line (for watermarks). */
  onProgress?: (lines: number, bytes: number) => void;
  /** Stop at the last newline and leave a trailing partial line unread (a blob still being appended). */
  completeLinesOnly?: boolean;
  /** Known to be JSON lines (a piece from inside a file): the first line does not decide the form. */
  lines?: boolean;
}

function recordsOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value as unknown[];
  if (isObject(value) && Array.isArray(value.records)) return value.records as unknown[];
  return undefined;
}

function parseItem(item: unknown, where: number, options: DecodeOptions, out: AuditRecord[]): void {
  try {
    out.push(fromAuditEvent(item));
    options.report.records++;
  } catch (error) {
    if (!(error instanceof RecordError)) throw error;
    options.report.bad(options.source, where, error.message);
  }
}

function reportLongLine(lineNo: number, options: DecodeOptions): void {
  options.report.bad(options.source, lineNo, `line longer than ${MAX_LINE_BYTES / 1024 / 1024} MB, skipped (an audit record is a few KB)`);
}

/** Parses one JSON line into `out`, reporting a bad line. */
function parseLine(line: string, lineNo: number, options: DecodeOptions, out: AuditRecord[]): void {
  if (line === LONG_LINE_MARK) {
    reportLongLine(lineNo, options);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    options.report.bad(options.source, lineNo, `not JSON: ${(error as Error).message}`);
    return;
  }
  const items = recordsOf(value);
  if (items) for (const item of items) parseItem(item, lineNo, options, out);
  else parseItem(value, lineNo, options, out);
}

/**
 * Bytes → text. Audit logs are nearly always ASCII, which latin1 decodes identically and many times faster
 * than the UTF-8 decoder; anything else goes through UTF-8. Chunks end at a newline, and a newline byte
 * never occurs inside a UTF-8 sequence, so no character is split.
 */
function decodeText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

function isBlank(line: string): boolean {
  // A record line starts with "{"; only other lines need the slower check.
  return line.charCodeAt(0) !== 123 && line.trim().length === 0;
}

/** Whether the source is one JSON document rather than JSON lines, from its first line. */
export function isDocument(firstLine: string): boolean {
  const text = firstLine.trim();
  if (text.startsWith("[")) return true;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

/**
 * Decodes a byte stream of audit records.
 * @param chunks - the bytes (already gunzipped)
 * @param options - naming, reporting and resume options
 */
export async function* decodeRecords(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: DecodeOptions,
): AsyncGenerator<AuditRecord[]> {
  let lineNo = (options.firstLine ?? 1) - 1;
  let consumed = 0;
  // The partial line carried to the next chunk, in parts (concatenated once, when its end arrives).
  let restParts: Buffer[] = [];
  let restBytes = 0;
  /** Bytes of a line over the cap dropped so far (it is being skipped to its end). */
  let skipped = -1;
  let mode: "unknown" | "lines" | "document" = options.lines ? "lines" : "unknown";
  const document: Buffer[] = [];
  let documentBytes = 0;
  for await (const raw of chunks) {
    const chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
    if (mode === "document") {
      documentBytes += chunk.length;
      if (documentBytes > MAX_DOCUMENT_BYTES) break;
      document.push(chunk);
      continue;
    }
    const out: AuditRecord[] = [];
    let buffer = chunk;
    const nl = chunk.indexOf(NEWLINE);
    if (skipped >= 0) {
      if (nl < 0) {
        skipped += chunk.length;
        continue;
      }
      lineNo++;
      reportLongLine(lineNo, options);
      consumed += skipped + nl + 1;
      skipped = -1;
      buffer = chunk.subarray(nl + 1);
    } else if (restBytes > 0 && nl < 0) {
      restParts.push(chunk);
      restBytes += chunk.length;
      // The first line decides the form: a document may be long; a JSON line may not.
      if (mode === "lines" && restBytes > MAX_LINE_BYTES) {
        skipped = restBytes;
        restParts = [];
        restBytes = 0;
      } else if (restBytes > MAX_DOCUMENT_BYTES) {
        options.report.bad(options.source, lineNo + 1, `a first line over ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB; not read`);
        return;
      }
      continue;
    } else if (restBytes > 0 && mode !== "lines") {
      buffer = Buffer.concat([...restParts, chunk]);
    } else if (restBytes > 0) {
      // Only the line across the chunk boundary is copied, not the whole chunk.
      const line = Buffer.concat([...restParts, chunk.subarray(0, nl)]).toString("utf8");
      lineNo++;
      if (!isBlank(line)) parseLine(line, lineNo, options, out);
      consumed += restBytes + nl + 1;
      buffer = chunk.subarray(nl + 1);
    }
    restParts = [];
    restBytes = 0;
    const last = buffer.lastIndexOf(NEWLINE);
    // One string per chunk, sliced per line: far cheaper than decoding each line from the buffer.
    const text = last >= 0 ? decodeText(buffer.subarray(0, last + 1)) : "";
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      // Files saved by Windows tools may open with a byte-order mark.
      const line = start === 0 && text.charCodeAt(0) === 0xfeff ? text.slice(1, nl) : text.slice(start, nl);
      lineNo++;
      start = nl + 1;
      if (isBlank(line)) continue;
      if (mode === "unknown") {
        mode = isDocument(line) ? "document" : "lines";
        if (mode === "document") break;
      }
      parseLine(line, lineNo, options, out);
    }
    if (mode === "document") {
      document.push(buffer);
      documentBytes = buffer.length;
      continue;
    }
    consumed += last + 1;
    start = last + 1;
    if (start < buffer.length) {
      restParts = [buffer.subarray(start)];
      restBytes = buffer.length - start;
      if (mode === "lines" && restBytes > MAX_LINE_BYTES) {
        skipped = restBytes;
        restParts = [];
        restBytes = 0;
      }
    }
    options.onProgress?.(lineNo, consumed);
    if (out.length > 0) yield out;
  }
  if (mode === "document") {
    yield* decodeDocument(document, documentBytes, options);
    return;
  }
  if (skipped >= 0 && !options.completeLinesOnly) {
    lineNo++;
    reportLongLine(lineNo, options);
    consumed += skipped;
    options.onProgress?.(lineNo, consumed);
  }
  if (restBytes > 0 && !options.completeLinesOnly) {
    const rest = restParts.length === 1 ? restParts[0]! : Buffer.concat(restParts);
    const line = rest.toString("utf8");
    const out: AuditRecord[] = [];
    if (mode === "unknown" && isDocument(line)) {
      yield* decodeDocument([rest], rest.length, options);
      return;
    }
    lineNo++;
    if (!isBlank(line)) parseLine(line, lineNo, options, out);
    consumed += rest.length;
    options.onProgress?.(lineNo, consumed);
    if (out.length > 0) yield out;
  }
}

function* decodeDocument(parts: Buffer[], bytes: number, options: DecodeOptions): Generator<AuditRecord[]> {
  if (bytes > MAX_DOCUMENT_BYTES) {
    options.report.bad(options.source, 0, `a single JSON document over ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB; write it as JSON lines`);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(
      Buffer.concat(parts)
        .toString("utf8")
        .replace(/^\uFEFF/, ""),
    );
  } catch (error) {
    options.report.bad(options.source, 0, `not JSON lines nor one JSON document: ${(error as Error).message}`);
    return;
  }
  const items = recordsOf(value) ?? [value];
  const out: AuditRecord[] = [];
  items.forEach((item, i) => parseItem(item, i + 1, options, out));
  options.onProgress?.(items.length, bytes);
  if (out.length > 0) yield out;
}
