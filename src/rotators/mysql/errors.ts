/**
 * @module mysql2 errors turned into `SqlRotationError`s. The driver's error carries the statement (`sql`),
 * and a syntax error quotes the text near the fault, so the message is rebuilt from the error number and
 * the server's message with every password of the operation blanked out, and the driver's error is never
 * attached as the cause.
 */
import { SqlRotationError, type SqlFailure } from "../sql/dialect.js";

interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

const NETWORK = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ECONNRESET",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "HANDSHAKE_NO_SSL_SUPPORT",
  "HANDSHAKE_SSL_ERROR",
]);
/** Server error numbers: access denied at login, and the privilege refusals of the statements used here. */
const AUTHENTICATION = new Set([1045, 1698, 1251, 1275, 1862, 1820]);
const PRIVILEGE = new Set([1044, 1142, 1143, 1227, 1410, 1370, 3530]);
const NOT_FOUND = new Set([1133, 1141, 1396, 1403, 1449]);

/** Replaces each secret (and its escaped forms) in `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) {
    for (const form of new Set([secret, secret.replaceAll("\\", "\\\\").replaceAll("'", "\\'"), secret.replaceAll("'", "''")])) {
      out = out.split(form).join("[redacted]");
    }
  }
  return out;
}

function failureOf(error: DriverError): SqlFailure {
  if (error.code === "PROTOCOL_SEQUENCE_TIMEOUT") return "timeout";
  if (error.code && (NETWORK.has(error.code) || error.code.startsWith("ERR_TLS") || error.code.includes("CERT"))) return "unreachable";
  if (error.errno !== undefined && AUTHENTICATION.has(error.errno)) return "authentication";
  if (error.errno !== undefined && PRIVILEGE.has(error.errno)) return "privilege";
  if (error.errno !== undefined && NOT_FOUND.has(error.errno)) return "user-not-found";
  return "other";
}

/**
 * A SqlRotationError for what the driver threw while doing `doing` (a phrase naming the login or account).
 * `failure` overrides the classification (a failure while cloning is `clone-refused` unless it is about
 * access or reachability). `hint` says what to fix for a privilege refusal.
 */
export function mysqlError(thrown: unknown, doing: string, secrets: readonly string[], options: { hint?: string; inClone?: boolean } = {}): SqlRotationError {
  if (thrown instanceof SqlRotationError) return thrown;
  const error = (typeof thrown === "object" && thrown !== null ? thrown : { message: String(thrown) }) as DriverError;
  let failure = failureOf(error);
  if (options.inClone && (failure === "other" || failure === "user-not-found")) failure = "clone-refused";
  const server = error.sqlMessage ?? error.message ?? "unknown error";
  const number = error.errno !== undefined ? ` (error ${error.errno}${error.code ? ` ${error.code}` : ""})` : error.code ? ` (${error.code})` : "";
  const hint = failure === "privilege" && options.hint ? `; ${options.hint}` : "";
  return new SqlRotationError(failure, redact(`${doing}: ${server}${number}${hint}`, secrets));
}
