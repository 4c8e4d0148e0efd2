/**
 * @module One uploaded record against its stream's declared columns: each value must fit its column's type
 * (null fits any), and a property the stream does not declare would never reach the table. String values
 * over 64 KB are truncated, as Azure documents. Problems are returned, not thrown: the caller refuses the
 * call or, as Azure does, drops the misfits and logs them.
 */
import type { Column, ColumnType } from "./rule.js";

/** Azure truncates field values longer than this (64 KB). */
export const MAX_FIELD_BYTES = 64 * 1024;

export interface RecordProblem {
  record: number;
  column: string;
  message: string;
}

function fits(type: ColumnType, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "int":
      return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31;
    case "long":
      return Number.isSafeInteger(value);
    case "real":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "datetime":
      return typeof value === "string" && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value));
    case "dynamic":
      return true;
  }
}

function truncate(value: string): string {
  if (Buffer.byteLength(value) <= MAX_FIELD_BYTES) return value;
  return Buffer.from(value)
    .subarray(0, MAX_FIELD_BYTES)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" || typeof value === "boolean") return `the ${typeof value} ${value}`;
  return typeof value === "string" ? "a string" : "an object";
}

/**
 * The row a record becomes (declared columns only, misfits left out) and what did not fit.
 * A record that is not a JSON object yields no row.
 */
export function checkRecord(record: unknown, index: number, columns: readonly Column[]): { row?: Record<string, unknown>; problems: RecordProblem[] } {
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    return { problems: [{ record: index, column: "", message: `record #${index + 1} is ${describe(record)}, not a JSON object` }] };
  }
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const row: Record<string, unknown> = {};
  const problems: RecordProblem[] = [];
  for (const [name, value] of Object.entries(record)) {
    const column = byName.get(name.toLowerCase());
    if (!column) {
      problems.push({ record: index, column: name, message: `record #${index + 1} has '${name}', which the stream does not declare` });
      continue;
    }
    if (value !== null && !fits(column.type, value)) {
      problems.push({
        record: index,
        column: column.name,
        message: `record #${index + 1}: '${column.name}' is ${column.type} but the value is ${describe(value)}`,
      });
      continue;
    }
    row[column.name] = typeof value === "string" ? truncate(value) : value;
  }
  return { row, problems };
}
