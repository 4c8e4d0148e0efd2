/** @module A channel's way out (Teams webhook, ACS Email, SMTP), and the error that says whether to retry. */
import type { AlertMessage } from "../message.js";

export interface Sink {
  readonly type: "teams" | "smtp" | "acs";
  deliver(message: AlertMessage): Promise<void>;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    /** Worth retrying soon (429, 5xx, network); otherwise it waits in the outbox for the next run. */
    readonly retryable: boolean,
    /** What the peer asked for (Retry-After), in ms. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DeliveryError";
  }
}

/** Retry-After as seconds or an HTTP date, in ms from `nowMs`. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
