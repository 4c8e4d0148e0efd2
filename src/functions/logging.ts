/**
 * @module The functions' log boundary: every line a handler logs through its `InvocationContext` is one
 * escaped line (`oneLine`), however much request, tag or event text it quotes. `index.ts` wraps each handler
 * it registers; the local runner escapes the lines it prints the same way.
 */
import { format } from "node:util";
import type { InvocationContext } from "@azure/functions";
import { oneLine } from "../common/logText.js";

const LOG_METHODS = ["log", "trace", "debug", "info", "warn", "error"] as const;

/** Makes this invocation's log calls write one escaped line each (arguments formatted as the worker does). */
export function escapeLogs(context: InvocationContext): InvocationContext {
  for (const method of LOG_METHODS) {
    const write = context[method].bind(context);
    context[method] = (...args: unknown[]) => write(oneLine(format(...args)));
  }
  return context;
}

/** The handler, called with a context whose logs are escaped. */
export function withEscapedLogs<T, R>(handler: (trigger: T, context: InvocationContext) => R): (trigger: T, context: InvocationContext) => R {
  return (trigger, context) => handler(trigger, escapeLogs(context));
}
