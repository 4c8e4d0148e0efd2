/**
 * @module Draining a storage queue the way the Functions host does: messages are hidden while they run,
 * deleted when the handler succeeds, retried when it throws, and moved to `<queue>-poison` after
 * MAX_DEQUEUE_COUNT tries (host.json's maxDequeueCount), so no job is silently lost.
 */
import type { QueueClient } from "@azure/storage-queue";

export const MAX_DEQUEUE_COUNT = 5;

export interface QueueMessageInfo {
  text: string;
  dequeueCount: number;
  id: string;
}

export interface DrainOptions {
  concurrency: number;
  /** Seconds a message stays hidden while it runs (and before a failed one is retried). */
  visibilityTimeoutSeconds: number;
  /** Stop after this many passes that found nothing (default: stop as soon as the queue looks empty). */
  idlePasses?: number;
  poison?: QueueClient;
  onError?(error: unknown, message: QueueMessageInfo): void;
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

/**
 * Runs messages until the queue looks empty, refilling a job slot as soon as one frees (as the host fetches
 * more when fewer than `newBatchThreshold` run) rather than waiting for the slowest job of a batch.
 */
export async function drainQueue(queue: QueueClient, handle: (message: QueueMessageInfo) => Promise<void>, options: DrainOptions): Promise<DrainReport> {
  const report: DrainReport = { succeeded: 0, failed: 0, poisoned: 0 };
  const running = new Set<Promise<void>>();
  const run = async (item: { messageText: string; dequeueCount: number; messageId: string; popReceipt: string }) => {
    const message = { text: messageText(item.messageText), dequeueCount: item.dequeueCount, id: item.messageId };
    if (item.dequeueCount > MAX_DEQUEUE_COUNT && options.poison) {
      await options.poison.sendMessage(item.messageText);
      await queue.deleteMessage(item.messageId, item.popReceipt);
      report.poisoned += 1;
      return;
    }
    try {
      await handle(message);
      await queue.deleteMessage(item.messageId, item.popReceipt);
      report.succeeded += 1;
    } catch (error) {
      report.failed += 1;
      options.onError?.(error, message);
    }
  };
  let idle = 0;
  for (;;) {
    const free = options.concurrency - running.size;
    if (free <= 0) {
      await Promise.race(running);
      continue;
    }
    const { receivedMessageItems: items } = await queue.receiveMessages({
      numberOfMessages: Math.min(32, free),
      visibilityTimeout: options.visibilityTimeoutSeconds,
    });
    if (items.length === 0) {
      if (running.size === 0 && ++idle >= (options.idlePasses ?? 1)) break;
      // The queue looks empty but jobs still run (and may enqueue more): wait for one before asking again.
      if (running.size > 0) await Promise.race(running);
      continue;
    }
    idle = 0;
    for (const item of items) {
      const job = run(item);
      running.add(job);
      void job.finally(() => running.delete(job));
    }
  }
  return report;
}
