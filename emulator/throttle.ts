/**
 * @module Opt-in throttling with Key Vault's documented limits: requests per vault per 10-second window
 * in buckets (vault transactions, key creates by type), plus a subscription-wide cap of five times a
 * vault's limit. A request answered 429 does not count. Windows run on real time, since clients wait
 * real time before they retry.
 */
import type { ThrottleBucket } from "./http/route.js";

export const WINDOW_MS = 10_000;
export const SUBSCRIPTION_FACTOR = 5;

/** The vault transactions bucket (secrets and most key operations). */
export const TRANSACTIONS: ThrottleBucket = { bucket: "transactions", limit: 4_000 };

interface Window {
  startMs: number;
  count: number;
}

export class Throttle {
  readonly #windows = new Map<string, Window>();

  /** `limitOverrides` replaces a bucket's documented limit (for tests and demos of throttling). */
  constructor(readonly limitOverrides: Record<string, number> = {}) {}

  #window(key: string, nowMs: number): Window {
    let window = this.#windows.get(key);
    if (!window || nowMs - window.startMs >= WINDOW_MS) {
      window = { startMs: nowMs, count: 0 };
      this.#windows.set(key, window);
    }
    return window;
  }

  /** Counts the request, or returns the seconds the client should wait (`Retry-After`). */
  admit(vaultName: string, subscriptionId: string, bucket: ThrottleBucket, nowMs = Date.now()): number | undefined {
    const limit = this.limitOverrides[bucket.bucket] ?? bucket.limit;
    const vault = this.#window(`${vaultName}|${bucket.bucket}`, nowMs);
    const subscription = this.#window(`sub:${subscriptionId}|${bucket.bucket}`, nowMs);
    const blocked = [vault.count >= limit ? vault : undefined, subscription.count >= limit * SUBSCRIPTION_FACTOR ? subscription : undefined].filter(
      (w): w is Window => w !== undefined,
    );
    if (blocked.length > 0) {
      const until = Math.max(...blocked.map((w) => w.startMs + WINDOW_MS));
      return Math.max(1, Math.ceil((until - nowMs) / 1000));
    }
    vault.count += 1;
    subscription.count += 1;
    return undefined;
  }
}
