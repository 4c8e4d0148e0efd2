/**
 * @module An experimental alternative to `drainQueue` (src/state/queueWorker.ts) for the rotation benchmark
 * (BENCH_DRAIN=pool): the same receive / delete / poison semantics, but a job slot is refilled as soon as
 * it frees, the way the Functions host fetches a new batch when fewer than `newBatchThreshold` messages
 * run, instead of waiting for the slowest job of each batch. It measures what that change would buy.
 */
import type { QueueClient } from "@azure/storage-queue";
import { MAX_DEQUEUE_COUNT, messageText, type DrainOptions, type DrainReport, type QueueMessageInfo } from "../src/state/queueWorker.js";

export async function poolDrain(queue: QueueClient, handle: (message: QueueMessageInfo) => Promise<void>, options: DrainOptions): Promise<DrainReport> {
  const report: DrainReport = { succeeded: 0, failed: 0, poisoned: 0 };
  const running = new Set<Promise<void>>();
  let idle = 0;
  for (;;) {
    const free = options.concurrency - running.size;
    if (free > 0) {
      const { receivedMessageItems: items } = await queue.receiveMessages({
        numberOfMessages: Math.min(32, free),
        visibilityTimeout: options.visibilityTimeoutSeconds,
      });
      if (items.length === 0) {
        if (running.size === 0 && ++idle >= (options.idlePasses ?? 1)) break;
      } else idle = 0;
      for (const item of items) {
        const message = { text: messageText(item.messageText), dequeueCount: item.dequeueCount, id: item.messageId };
        const job = (async () => {
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
        })();
        running.add(job);
        void job.finally(() => running.delete(job));
      }
      // Queue looked empty but jobs still run: wait for one before asking again.
      if (items.length === 0 && running.size > 0) await Promise.race(running);
    } else {
      await Promise.race(running);
    }
  }
  return report;
}
