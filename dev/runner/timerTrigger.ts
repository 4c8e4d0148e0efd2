/**
 * @module Timer triggers: each fires on its NCRONTAB schedule (six fields, UTC), like the host's, never two
 * runs of one function at once, with `runOnStartup` and the function's `retry` policy honoured.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Duration, RetryOptions, Timer } from "@azure/functions";
import { CronExpressionParser } from "cron-parser";
import { ensureError } from "../../src/common/errors.js";
import type { TimerFunctionDefinition } from "../../src/functions/table.js";
import { createContext, functionLine, invoke, type LineWriter } from "./invocation.js";

/** setTimeout's limit (about 24.8 days); a later occurrence is waited for in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** A run that starts this late is reported as past due. */
const PAST_DUE_MS = 1000;

export interface RunningTimer {
  stop(): Promise<void>;
}

function durationMs(value: Duration | number): number {
  if (typeof value === "number") return value;
  return (((value.hours ?? 0) * 60 + (value.minutes ?? 0)) * 60 + (value.seconds ?? 0)) * 1000 + (value.milliseconds ?? 0);
}

function retryDelayMs(retry: RetryOptions, retryCount: number): number {
  if (retry.strategy === "fixedDelay") return durationMs(retry.delayInterval);
  return Math.min(durationMs(retry.maximumInterval), durationMs(retry.minimumInterval) * 2 ** (retryCount - 1));
}

/** The first occurrence strictly after `after`; throws on an expression that is not NCRONTAB. */
export function nextOccurrence(schedule: string, after: Date): Date {
  if (schedule.trim().split(/\s+/).length !== 6) throw new Error(`"${schedule}" is not NCRONTAB: six fields, seconds first`);
  return CronExpressionParser.parse(schedule, { tz: "UTC", currentDate: after }).next().toDate();
}

export function startTimer(definition: TimerFunctionDefinition, schedule: string, write: LineWriter): RunningTimer {
  // Throws here, at setup, for an expression that is not NCRONTAB: the runner reports the function.
  nextOccurrence(schedule, new Date());
  const abort = new AbortController();
  let last: Date | undefined;

  const fire = async (scheduled: Date) => {
    const startedAt = Date.now();
    const timer: Timer = {
      isPastDue: startedAt - scheduled.getTime() > PAST_DUE_MS,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: (last ?? scheduled).toISOString(),
        next: nextOccurrence(schedule, scheduled).toISOString(),
        lastUpdated: new Date(startedAt).toISOString(),
      },
    };
    last = scheduled;
    const retry = definition.retry;
    for (let retryCount = 0; !abort.signal.aborted; retryCount++) {
      const context = createContext({
        functionName: definition.name,
        trigger: { type: "timerTrigger", name: "timer", schedule },
        write,
        ...(retry ? { retryContext: { retryCount, maxRetryCount: retry.maxRetryCount } } : {}),
      });
      const outcome = await invoke(context, () => definition.handler(timer, context));
      if (outcome.ok || !retry || (retry.maxRetryCount >= 0 && retryCount >= retry.maxRetryCount)) return;
      await sleep(retryDelayMs(retry, retryCount + 1), undefined, { signal: abort.signal }).catch(() => undefined);
    }
  };

  const loop = async () => {
    if (definition.runOnStartup) await fire(new Date());
    while (!abort.signal.aborted) {
      // From the later of now and the last occurrence: a timer that fires a moment early must not fire twice.
      const at = nextOccurrence(schedule, new Date(Math.max(Date.now(), last?.getTime() ?? 0)));
      try {
        while (Date.now() < at.getTime()) await sleep(Math.min(MAX_TIMEOUT_MS, at.getTime() - Date.now()), undefined, { signal: abort.signal });
      } catch {
        return;
      }
      await fire(at);
    }
  };
  // Handlers are guarded by invoke(); this only reports a bug instead of an unhandled rejection.
  const running = loop().catch((error: unknown) => write(functionLine(definition.name, "error", `timer stopped: ${ensureError(error).message}`)));

  return {
    async stop() {
      abort.abort();
      await running;
    },
  };
}
