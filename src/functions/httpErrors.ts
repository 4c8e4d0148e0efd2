/**
 * @module What the HTTP functions answer when a request cannot be served. A caller's mistake gets kvguard's
 * own words (which rule a name breaks, which object is missing). A failure inside gets a generic sentence and
 * an error id: drivers, ARM and the SDKs word their errors with hosts, users, tags and the vaults kvguard
 * guards, so that text goes only to the log line that carries the same id.
 */
import { randomUUID } from "node:crypto";
import type { HttpResponseInit, InvocationContext } from "@azure/functions";
import { ensureError } from "../common/errors.js";

/** 400, 404, 409: the caller's request, answered in kvguard's words. */
export function refused(status: 400 | 404 | 409, error: string): HttpResponseInit {
  return { status, jsonBody: { error } };
}

/**
 * 500 (or another status) with `{error, errorId}`; the error's own message is logged with the id.
 * @param what - what failed, in kvguard's words ("the rotation of demo/api-token")
 */
export function failed(context: InvocationContext, what: string, error: unknown, status = 500): HttpResponseInit {
  const errorId = randomUUID();
  context.error(`${what} failed (error id ${errorId}): ${ensureError(error).message}`);
  return { status, jsonBody: { error: `${what} failed; kvguard's log line with error id ${errorId} says why`, errorId } };
}
