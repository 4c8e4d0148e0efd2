/**
 * @module One doctor check: its name, ok / failed / skipped, what it found, and for a failure the fix (the
 * missing role and scope, the setting to change). `runCheck` gives every check a deadline, so an
 * unreachable endpoint fails the check instead of hanging the command.
 */
import { ensureError } from "../common/errors.js";

export type CheckStatus = "ok" | "failed" | "skipped";

export interface CheckResult {
  /** What was checked: `settings`, `vault demo: secrets`, `state: queue`... */
  name: string;
  status: CheckStatus;
  /** What it found (ok), what went wrong (failed) or why it did not run (skipped). */
  detail: string;
  /** What to do about a failure. */
  fix?: string;
  /** How long the check took. */
  durationMs?: number;
}

/** Thrown by a check that knows the fix for what it found. */
export class CheckFailure extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = "CheckFailure";
  }
}

/** A failure's message and fix, from what a check threw. */
export type Diagnose = (error: Error) => { detail: string; fix: string };

export class DeadlineError extends Error {
  constructor(seconds: number) {
    super(`no answer within ${seconds} s`);
    this.name = "DeadlineError";
  }
}

/**
 * Runs one check against a deadline.
 * @param name - the check's name
 * @param timeoutMs - the deadline; the check gets an AbortSignal that fires then, for its SDK calls
 * @param body - returns the ok detail, or throws
 * @param diagnose - turns an error into the detail and fix (a CheckFailure carries its own)
 */
export async function runCheck(name: string, timeoutMs: number, body: (signal: AbortSignal) => Promise<string>, diagnose: Diagnose): Promise<CheckResult> {
  const controller = new AbortController();
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineError(Math.round(timeoutMs / 1000)));
    }, timeoutMs);
  });
  try {
    const detail = await Promise.race([body(controller.signal), deadline]);
    return { name, status: "ok", detail, durationMs: took() };
  } catch (thrown) {
    const error = ensureError(thrown);
    if (error instanceof CheckFailure) return { name, status: "failed", detail: error.message, fix: error.fix, durationMs: took() };
    // An aborted SDK call reports the abort; the deadline is the reason.
    const reason = controller.signal.aborted && !(error instanceof DeadlineError) ? new DeadlineError(Math.round(timeoutMs / 1000)) : error;
    return { name, status: "failed", ...diagnose(reason), durationMs: took() };
  } finally {
    clearTimeout(timer);
  }
}

export function skipped(name: string, detail: string): CheckResult {
  return { name, status: "skipped", detail };
}
