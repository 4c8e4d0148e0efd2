/**
 * @module mssql/tedious errors turned into `SqlRotationError`s by SQL Server's documented error numbers and
 * tedious's codes: ELOGIN (server error 18456 and the other login refusals), ESOCKET/ETIMEOUT at connect
 * (client errors 2, 53 and -1 in SqlClient terms), ETIMEOUT on a request (statement timeout), 15151 (cannot
 * find the principal, or no permission on it), 15247 and 229/262/300 (no permission), 15114–15118 (password
 * policy), 15025/15023 (already exists). Messages keep the number and never a password.
 */
import { redact } from "../mysql/errors.js";
import { SqlRotationError, type SqlFailure } from "../sql/dialect.js";

interface DriverError {
  code?: string;
  number?: number;
  message?: string;
  originalError?: { number?: number; info?: { number?: number } };
}

const PRIVILEGE = new Set([229, 230, 262, 297, 300, 916, 15247, 15151]);
const POLICY = new Set([15114, 15115, 15116, 15117, 15118]);
const NETWORK_NUMBERS = new Set([2, 53, -1]);

function numberOf(error: DriverError): number | undefined {
  return error.number ?? error.originalError?.info?.number ?? error.originalError?.number;
}

export interface SqlServerErrorOptions {
  /** Connect-time ETIMEOUT is unreachable; request-time ETIMEOUT is the statement timeout. */
  connecting?: boolean;
  /** 15151 names a principal that does not exist "or you do not have permission"; when we saw it exist, it is permission. */
  principalVisible?: boolean;
  inClone?: boolean;
  hint?: string;
}

function failureOf(error: DriverError, number: number | undefined, options: SqlServerErrorOptions): SqlFailure {
  if (error.code === "ELOGIN" || number === 18456) return "authentication";
  if (error.code === "ETIMEOUT") return options.connecting ? "unreachable" : "timeout";
  if (error.code === "ESOCKET" || error.code === "EINSTLOOKUP" || error.code === "ECONNCLOSED" || (number !== undefined && NETWORK_NUMBERS.has(number)))
    return "unreachable";
  if (number === 15151 && !options.principalVisible) return options.inClone ? "clone-refused" : "user-not-found";
  if (number !== undefined && PRIVILEGE.has(number)) return "privilege";
  return options.inClone ? "clone-refused" : "other";
}

export function sqlServerError(thrown: unknown, doing: string, secrets: readonly string[], options: SqlServerErrorOptions = {}): SqlRotationError {
  if (thrown instanceof SqlRotationError) return thrown;
  const error = (typeof thrown === "object" && thrown !== null ? thrown : { message: String(thrown) }) as DriverError;
  const number = numberOf(error);
  const failure = failureOf(error, number, options);
  const tag = number !== undefined ? ` (error ${number})` : error.code ? ` (${error.code})` : "";
  let hint = "";
  if (number !== undefined && POLICY.has(number))
    hint = "; the new password breaks the server's password policy: raise the rotator's length option or add character classes";
  else if (failure === "privilege" && options.hint) hint = `; ${options.hint}`;
  return new SqlRotationError(failure, redact(`${doing}: ${error.message ?? "unknown error"}${tag}${hint}`, secrets));
}
