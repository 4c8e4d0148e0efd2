/**
 * @module A storage queue run the way the Functions host runs a queue trigger, the one emulation of it (the
 * CLI's sweep drains the rotation queue with it, the local runner polls every queue of the function table with
 * it): a message is hidden while it runs (the hiding renewed), deleted when the handler succeeds, hidden for
 * `visibilityTimeoutSeconds` when it throws, and moved to `<queue>-poison` after `maxDequeueCount` tries, so
 * no job is silently lost. The body is decoded as the host decodes it (base64).
 */
import type { DequeuedMessageItem, QueueClient } from "@azure/storage-queue";
import { ensureError } from "../common/errors.js";

/** host.json's `maxDequeueCount` default. */
export const MAX_DEQUEUE_COUNT = 5;
/** The first wait after an empty poll; it doubles up to `maxPollingIntervalMs`, as the host backs off. */
const MIN_POLL_MS = 100;
/** A running message stays hidden this long, renewed at half time (the host hides for 10 min and renews). */
const RUNNING_VISIBILITY_SECONDS = 60;
/** How long `stop()` waits for running messages; unfinished ones reappear when their hiding lapses. */
const STOP_WAIT_MS = 15_000;

export interface QueueMessageInfo {
  /** The body, base64-decoded when it is base64. */
  text: string;
  dequeueCount: number;
  id: string;
  item: DequeuedMessageItem;
}

export interface QueueWorkerOptions {
  /** Messages that run at once (the host's batchSize + newBatchThreshold). */
  concurrency: number;
  /** Seconds a failed message stays hidden before its next try. */
  visibilityTimeoutSeconds: number;
  /** Tries before a message moves to the poison queue (default 5). */
  maxDequeueCount?: number;
  poison?: QueueClient;
  /** Drain: stop once the queue looks empty this many polls in a row with nothing running. Absent: poll until stop(). */
  idlePasses?: number;
  /** Creates the queue first when it does not exist (polling mode: retried while storage is down). */
  create?: boolean;
  /** Longest wait between polls of an empty queue (polling mode; default 60 s). */
  maxPollingIntervalMs?: number;
  /** A try failed; `retrying` is false when the message went to the poison queue. */
  onError?(error: unknown, message: QueueMessageInfo, retrying: boolean): void;
  onPoisoned?(message: QueueMessageInfo): void;
  /** The queue could not be read (polling mode: said once until it can again, then `undefined`). */
  onPollError?(error: Error | undefined): void;
}

export interface DrainReport {
  succeeded: number;
  failed: number;
  poisoned: number;
}

/** Decodes a message body as the Functions host does (base64), falling back to the raw text. */
export function messageText(raw: string): string {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(raw) ? Buffer.from(raw, "base64").toString("utf8") : raw;
}

export class QueueWorker {
  readonly report: DrainReport = { succeeded: 0, failed: 0, poisoned: 0 };
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  readonly #maxDequeue: number;
  #wake: (() => void) | undefined;
  #done: Promise<DrainReport> | undefined;

  constructor(
    readonly queue: QueueClient,
    readonly handle: (message: QueueMessageInfo) => Promise<void>,
    readonly options: QueueWorkerOptions,
  ) {
    this.#maxDequeue = options.maxDequeueCount ?? MAX_DEQUEUE_COUNT;
  }

  /** Runs messages until the queue looks empty (`idlePasses`) or `stop()`; a free slot is refilled at once. */
  run(): Promise<DrainReport> {
    this.#done ??= this.#loop();
    return this.#done;
  }

  /** Polls now (a message was just added). */
  nudge(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS).unref()));
    await Promise.race([Promise.allSettled(this.#running), waited]);
    clearTimeout(timer);
  }

  async #poison(message: QueueMessageInfo, popReceipt: string): Promise<void> {
    // The host copies the message as it was (still encoded) and deletes the original.
    await this.options.poison!.sendMessage(message.item.messageText);
    await this.queue.deleteMessage(message.id, popReceipt);
    this.report.poisoned += 1;
    this.options.onPoisoned?.(message);
  }

  async #runOne(message: QueueMessageInfo): Promise<void> {
    const { item } = message;
    if (item.dequeueCount > this.#maxDequeue && this.options.poison) return this.#poison(message, item.popReceipt);
    let popReceipt = item.popReceipt;
    let renewing: Promise<unknown> = Promise.resolve();
    const renew = setInterval(
      () => {
        renewing = this.queue
          .updateMessage(item.messageId, popReceipt, undefined, RUNNING_VISIBILITY_SECONDS)
          .then((r) => (popReceipt = r.popReceipt ?? popReceipt))
          .catch(() => undefined);
      },
      (RUNNING_VISIBILITY_SECONDS * 1000) / 2,
    );
    let failure: { error: unknown } | undefined;
    try {
      await this.handle(message);
    } catch (error) {
      failure = { error };
    } finally {
      clearInterval(renew);
      await renewing;
    }
    if (!failure) {
      await this.queue.deleteMessage(item.messageId, popReceipt);
      this.report.succeeded += 1;
      return;
    }
    this.report.failed += 1;
    const poisoning = item.dequeueCount >= this.#maxDequeue && this.options.poison !== undefined;
    this.options.onError?.(failure.error, message, !poisoning);
    if (poisoning) return this.#poison(message, popReceipt);
    await this.queue.updateMessage(item.messageId, popReceipt, undefined, this.options.visibilityTimeoutSeconds);
  }

  #idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const signal = this.#abort.signal;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }

  async #loop(): Promise<DrainReport> {
    const { concurrency, idlePasses } = this.options;
    const maxPollMs = this.options.maxPollingIntervalMs ?? 60_000;
    let interval = MIN_POLL_MS;
    let idle = 0;
    let pollError: string | undefined;
    let created = !this.options.create;
    while (!this.#abort.signal.aborted) {
      const free = concurrency - this.#running.size;
      if (free <= 0) {
        await Promise.race(this.#running);
        continue;
      }
      let items: DequeuedMessageItem[];
      try {
        if (!created) {
          await this.queue.createIfNotExists();
          created = true;
        }
        items = (await this.queue.receiveMessages({ numberOfMessages: Math.min(32, free), visibilityTimeout: RUNNING_VISIBILITY_SECONDS }))
          .receivedMessageItems;
        if (pollError !== undefined) this.options.onPollError?.(undefined);
        pollError = undefined;
      } catch (error) {
        // Draining, storage down is the caller's error; polling, it is said once and polled for at the slowest rate.
        if (idlePasses !== undefined) throw error;
        const message = ensureError(error).message;
        if (message !== pollError) this.options.onPollError?.(ensureError(error));
        pollError = message;
        await this.#idle(maxPollMs);
        continue;
      }
      if (items.length > 0) {
        idle = 0;
        interval = MIN_POLL_MS;
        for (const item of items) {
          const message: QueueMessageInfo = { text: messageText(item.messageText), dequeueCount: item.dequeueCount, id: item.messageId, item };
          // The queue itself failed (a delete, the poison copy): the message reappears when its hiding lapses.
          const job: Promise<void> = this.#runOne(message)
            .catch((error: unknown) => this.options.onError?.(error, message, true))
            .finally(() => this.#running.delete(job));
          this.#running.add(job);
        }
        continue;
      }
      if (idlePasses !== undefined) {
        if (this.#running.size === 0 && ++idle >= idlePasses) break;
        // The queue looks empty but jobs still run (and may enqueue more): wait for one before asking again.
        if (this.#running.size > 0) await Promise.race(this.#running);
        continue;
      }
      await this.#idle(interval);
      interval = Math.min(maxPollMs, interval * 2);
    }
    return this.report;
  }
}

/** Runs the queue's messages until it looks empty (the CLI's sweep, tests, benchmarks). */
export function drainQueue(
  queue: QueueClient,
  handle: (message: QueueMessageInfo) => Promise<void>,
  options: Omit<QueueWorkerOptions, "idlePasses" | "maxPollingIntervalMs" | "onPollError"> & { idlePasses?: number },
): Promise<DrainReport> {
  return new QueueWorker(queue, handle, { ...options, idlePasses: options.idlePasses ?? 1 }).run();
}
