/** @module One line for an error a check met: the HTTP status and the service's code when there was one. */
import { ensureError, statusOf } from "../common/errors.js";

export function errorMessage(thrown: unknown): string {
  const error = ensureError(thrown);
  const status = statusOf(thrown);
  const code = (thrown as { code?: unknown }).code;
  // Key Vault's multi-line 403 message: the first line says what happened.
  const first = error.message.split(/\r?\n/)[0]!.trim();
  const prefix = [status, typeof code === "string" ? code : undefined].filter(Boolean).join(" ");
  return prefix ? `${prefix}: ${first}` : first;
}
