/**
 * @module One function invocation as the host makes it: a real `InvocationContext` whose logs become one
 * readable console line each, prefixed with the function name, and a guard so that a throwing handler is
 * reported and never takes the runner down.
 */
import { randomUUID } from "node:crypto";
import { format } from "node:util";
import type { FunctionTrigger, InvocationContext, LogLevel, RetryContext, TriggerMetadata } from "@azure/functions";
// CommonJS whose classes Node's ESM loader cannot see as named exports: take them from the module object.
import functions from "@azure/functions";
import { ensureError } from "../../src/common/errors.js";

/** Where the runner writes: one line per call, without a trailing newline. */
export type LineWriter = (line: string) => void;

const LEVEL_MARK: Partial<Record<LogLevel, string>> = { warning: "warn ", error: "ERROR ", critical: "ERROR " };

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

/** `12:00:01 [rotationSweep] message`, with `warn`/`ERROR` before warnings and errors. */
export function functionLine(functionName: string, level: LogLevel, text: string): string {
  return `${clock()} [${functionName}] ${LEVEL_MARK[level] ?? ""}${text}`;
}

export interface InvocationInit {
  functionName: string;
  trigger: FunctionTrigger;
  triggerMetadata?: TriggerMetadata;
  retryContext?: RetryContext;
  write: LineWriter;
}

export function createContext(init: InvocationInit): InvocationContext {
  return new functions.InvocationContext({
    invocationId: randomUUID(),
    functionName: init.functionName,
    options: { trigger: init.trigger },
    ...(init.triggerMetadata ? { triggerMetadata: init.triggerMetadata } : {}),
    ...(init.retryContext ? { retryContext: init.retryContext } : {}),
    logHandler: (level, ...args) => {
      // host.json logs functions from Information up.
      if (level === "none" || level === "trace" || level === "debug") return;
      init.write(functionLine(init.functionName, level, format(...args)));
    },
  });
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

/** Runs a handler; a throw (or a rejected promise) is logged on the context and returned, never rethrown. */
export async function invoke<T>(context: InvocationContext, run: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const failure = ensureError(error);
    context.error(`failed: ${failure.message}`);
    return { ok: false, error: failure };
  }
}
