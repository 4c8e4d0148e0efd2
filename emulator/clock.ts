/**
 * @module One clock for the whole local Key Vault: real time plus an offset that only moves forward,
 * so expiry, near-expiry events and purge dates can be tested without waiting.
 */
import { EventEmitter } from "node:events";

export class Clock extends EventEmitter<{ advanced: [offsetSeconds: number] }> {
  #offsetMs: number;

  constructor(startOffsetSeconds = 0) {
    super();
    if (!Number.isFinite(startOffsetSeconds) || startOffsetSeconds < 0) {
      throw new RangeError(`clock offset must be a non-negative number of seconds, got ${startOffsetSeconds}`);
    }
    this.#offsetMs = startOffsetSeconds * 1000;
  }

  /** Milliseconds since the epoch, as the emulator sees it. */
  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Whole seconds since the epoch: the unit of every Key Vault date field. */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  get offsetSeconds(): number {
    return this.#offsetMs / 1000;
  }

  /** Moves time forward; listeners (expiry events, purges) run before this returns. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new RangeError(`the clock only moves forward: seconds must be > 0, got ${seconds}`);
    }
    this.#offsetMs += seconds * 1000;
    this.emit("advanced", this.offsetSeconds);
  }
}
