/** @module Turning anything thrown into an Error, and reading status codes off SDK errors. */

export function ensureError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(typeof thrown === "string" ? thrown : JSON.stringify(thrown));
}

/** The HTTP status of an Azure SDK RestError (or anything shaped like one). */
export function statusOf(thrown: unknown): number | undefined {
  const status = (thrown as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}
