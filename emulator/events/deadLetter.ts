/**
 * @module Dead letters: an event Event Grid gave up on, with the fields Event Grid adds when it writes one
 * to the dead-letter container. The emulator appends them as JSON lines to `<dir>/<subscription>.jsonl`
 * (Event Grid writes JSON-array blobs under the upper-cased subscription name instead).
 */
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";

export type DeadLetterReason =
  | "MaxDeliveryAttemptsExceeded"
  | "TimeToLiveExceeded"
  | "UndeliverableDueToHttpBadRequest"
  | "UndeliverableDueToHttpUnauthorized"
  | "UndeliverableDueToHttpForbidden"
  | "UndeliverableDueToHttpRequestEntityTooLarge";

export interface DeadLetterFields {
  deadLetterReason: DeadLetterReason;
  deliveryAttempts: number;
  /** The last attempt's outcome: the HTTP status's name (`NotFound`, `ServiceUnavailable`…), `TimedOut` or `GenericError`. */
  lastDeliveryOutcome: string;
  /** 0 when the last attempt got no HTTP answer. */
  lastHttpStatusCode: number;
  publishTime: string;
  lastDeliveryAttemptTime: string;
}

/** Appends dead letters; writes to one file happen in order, and `flush()` waits for all of them. */
export class DeadLetterWriter {
  #chain: Promise<void> = Promise.resolve();
  #ready?: Promise<unknown>;

  constructor(readonly dir: string) {}

  fileFor(subscription: string): string {
    return join(this.dir, `${subscription}.jsonl`);
  }

  write(subscription: string, event: object, fields: DeadLetterFields): Promise<void> {
    const line = `${JSON.stringify({ ...event, ...fields })}\n`;
    this.#ready ??= mkdir(this.dir, { recursive: true });
    const ready = this.#ready;
    this.#chain = this.#chain
      .then(() => ready)
      .then(() => appendFile(this.fileFor(subscription), line, { mode: 0o600 }))
      .catch((error: unknown) => {
        this.#ready = undefined;
        console.error(`local Key Vault: could not write a dead letter for subscription ${subscription}`, error);
      });
    return this.#chain;
  }

  flush(): Promise<void> {
    return this.#chain;
  }
}
