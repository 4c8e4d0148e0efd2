/**
 * @module Delivery with retry: a retryable failure (429, 5xx, network) is tried again with exponential
 * backoff, waiting at least what Retry-After asked. A wait longer than `maxWaitMs`, or attempts used up,
 * ends the try: the message then goes to the outbox, with the time the peer asked for. A message the secret
 * guard refused is never retried.
 */
import { ensureError } from "../common/errors.js";
import type { AlertMessage } from "./message.js";
import { SecretLeakError } from "./secretGuard.js";
import { DeliveryError, type Sink } from "./sinks/sink.js";

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  /** The longest wait inside one run; a longer Retry-After defers to the outbox. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxWaitMs: 30_000 };

export type DeliveryResult =
  | { ok: true; attempts: number }
  /** `refused`: the secret guard stopped it; it must not be stored or retried. */
  | { ok: false; attempts: number; error: string; retryAfterMs?: number; refused?: true };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function deliverWithRetry(sink: Sink, message: AlertMessage, policy: RetryPolicy = DEFAULT_RETRY): Promise<DeliveryResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sink.deliver(message);
      return { ok: true, attempts: attempt };
    } catch (thrown) {
      if (thrown instanceof SecretLeakError) return { ok: false, attempts: attempt, error: thrown.message, refused: true };
      const error = ensureError(thrown);
      const retryable = error instanceof DeliveryError && error.retryable;
      const retryAfterMs = error instanceof DeliveryError ? error.retryAfterMs : undefined;
      const wait = Math.max(retryAfterMs ?? 0, policy.baseDelayMs * 2 ** (attempt - 1));
      if (!retryable || attempt >= policy.attempts || wait > policy.maxWaitMs) {
        return { ok: false, attempts: attempt, error: error.message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
      }
      await sleep(wait);
    }
  }
}
