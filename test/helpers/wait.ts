/**
 * @module Waiting for something to happen without racing the wall clock. A wait has no deadline of its own:
 * a busy machine makes it slower, never wrong. vitest's test timeout (a hang guard far above any run's time,
 * vitest.config.ts) ends a wait that never ends, and the failed test then says what it was still waiting
 * for and what it had seen.
 */
import { onTestFailed, onTestFinished, TestRunner } from "vitest";

/**
 * Calls `onWait` if the running test fails while `waiting` is unsettled (the test timed out on it, say), then
 * returns `waiting`. Outside a test (a `beforeAll`), the wait is returned as it is.
 */
export function explained<T>(waiting: Promise<T>, what: string, seen: () => string = () => ""): Promise<T> {
  if (!TestRunner.getCurrentTest()) return waiting;
  let settled = false;
  waiting.then(
    () => (settled = true),
    () => (settled = true),
  );
  onTestFailed(() => {
    if (!settled) console.error(`still waiting for ${what}${seen() ? `; seen so far:\n${seen()}` : ""}`);
  });
  return waiting;
}

/**
 * Re-checks `check` every `everyMs` until it returns something other than undefined or false, and returns
 * that. It stops re-checking when the test ends.
 */
export function waitUntil<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { everyMs?: number; seen?: () => string } = {},
): Promise<T> {
  let ended = false;
  if (TestRunner.getCurrentTest()) onTestFinished(() => void (ended = true));
  const poll = async (): Promise<T> => {
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      if (ended) throw new Error(`the test ended while waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
    }
  };
  return explained(poll(), what, options.seen);
}
