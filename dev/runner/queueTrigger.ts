/**
 * @module Storage-queue triggers by polling Azurite, with the host's semantics: a message is hidden while
 * its function runs (and the hiding renewed), deleted when the function succeeds, made visible again after
 * host.json's visibilityTimeout when it throws, and moved to `<queue>-poison` after maxDequeueCount tries.
 * The body is decoded as the host decodes it (base64) and handed over parsed when it is JSON, as the Node
 * worker does. An empty queue is polled less and less often, up to maxPollingInterval.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { DequeuedMessageItem, QueueClient } from "@azure/storage-queue";
import { ensureError } from "../../src/common/errors.js";
import type { StorageQueueFunctionDefinition } from "../../src/functions/table.js";
import { messageText } from "../../src/state/queueWorker.js";
import type { QueueSettings } from "./hostJson.js";
import { createContext, functionLine, invoke, type LineWriter } from "./invocation.js";

/** The host's first polling interval after an empty poll; it doubles up to maxPollingInterval. */
const MIN_POLL_MS = 100;
/** A running message stays hidden this long, renewed at half time (the host hides for 10 min and renews). */
const RUNNING_VISIBILITY_SECONDS = 60;
/** How long `stop()` waits for running messages; unfinished ones reappear when their hiding lapses. */
const STOP_WAIT_MS = 15_000;

export interface QueueTarget {
  queueName: string;
  connection: string;
  queue: QueueClient;
  poison: QueueClient;
}

export interface RunningQueuePoller {
  /** Polls now (a message was just added, e.g. to this poison queue). */
  nudge(): void;
  stop(): Promise<void>;
}

function tryJsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function startQueuePoller(
  definition: StorageQueueFunctionDefinition,
  target: QueueTarget,
  settings: QueueSettings,
  write: LineWriter,
  onPoisoned: (poisonQueueName: string) => void,
): RunningQueuePoller {
  const abort = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  let lastError: string | undefined;
  const say = (level: "information" | "warning" | "error", text: string) => write(functionLine(definition.name, level, text));

  const moveToPoison = async (item: DequeuedMessageItem, popReceipt: string) => {
    // The host copies the message as it was (still encoded) and deletes the original.
    await target.poison.sendMessage(item.messageText);
    await target.queue.deleteMessage(item.messageId, popReceipt);
    say("warning", `message ${item.messageId} moved to ${target.queueName}-poison after ${item.dequeueCount} tries`);
    onPoisoned(`${target.queueName}-poison`);
  };

  const run = async (item: DequeuedMessageItem) => {
    if (item.dequeueCount > settings.maxDequeueCount) return moveToPoison(item, item.popReceipt);
    const text = messageText(item.messageText);
    let popReceipt = item.popReceipt;
    let renewing: Promise<unknown> = Promise.resolve();
    const renew = setInterval(() => {
      renewing = target.queue
        .updateMessage(item.messageId, popReceipt, undefined, RUNNING_VISIBILITY_SECONDS)
        .then((r) => (popReceipt = r.popReceipt ?? popReceipt))
        .catch(() => undefined);
    }, (RUNNING_VISIBILITY_SECONDS * 1000) / 2);
    const context = createContext({
      functionName: definition.name,
      trigger: { type: "queueTrigger", name: "queueItem", queueName: target.queueName, connection: target.connection },
      triggerMetadata: {
        id: item.messageId,
        dequeueCount: item.dequeueCount,
        insertionTime: item.insertedOn.toISOString(),
        expirationTime: item.expiresOn.toISOString(),
        nextVisibleTime: item.nextVisibleOn.toISOString(),
        popReceipt: item.popReceipt,
        queueTrigger: text,
      },
      write,
    });
    const outcome = await invoke(context, () => definition.handler(tryJsonParse(text), context));
    clearInterval(renew);
    await renewing;
    if (outcome.ok) return void (await target.queue.deleteMessage(item.messageId, popReceipt));
    if (item.dequeueCount >= settings.maxDequeueCount) return moveToPoison(item, popReceipt);
    await target.queue.updateMessage(item.messageId, popReceipt, undefined, settings.visibilityTimeoutSeconds);
    say("warning", `try ${item.dequeueCount} of ${settings.maxDequeueCount} failed; retrying in ${settings.visibilityTimeoutSeconds} s`);
  };

  const track = (item: DequeuedMessageItem) => {
    const done: Promise<void> = run(item)
      .catch((error: unknown) => say("error", `message ${item.messageId}: ${ensureError(error).message}`))
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        abort.signal.removeEventListener("abort", done);
        wake = undefined;
        resolve();
      }
      wake = done;
      abort.signal.addEventListener("abort", done, { once: true });
    });

  const loop = async () => {
    let interval = MIN_POLL_MS;
    let created = false;
    while (!abort.signal.aborted) {
      if (inFlight.size > settings.newBatchThreshold) {
        await Promise.race(inFlight);
        continue;
      }
      let items: DequeuedMessageItem[];
      try {
        if (!created) {
          await target.queue.createIfNotExists();
          created = true;
        }
        items = (await target.queue.receiveMessages({ numberOfMessages: Math.min(32, settings.batchSize), visibilityTimeout: RUNNING_VISIBILITY_SECONDS }))
          .receivedMessageItems;
        if (lastError) say("information", `queue ${target.queueName} is reachable again`);
        lastError = undefined;
      } catch (error) {
        // Storage down: say so once, keep polling at the slowest rate, resume when it is back.
        const message = ensureError(error).message;
        if (message !== lastError) say("error", `cannot poll queue ${target.queueName}: ${message}; retrying`);
        lastError = message;
        await idle(settings.maxPollingIntervalMs);
        continue;
      }
      if (items.length === 0) {
        await idle(interval);
        interval = Math.min(settings.maxPollingIntervalMs, interval * 2);
        continue;
      }
      interval = MIN_POLL_MS;
      for (const item of items) track(item);
    }
  };
  // Every await in the loop is guarded; this only reports a bug instead of an unhandled rejection.
  const polling = loop().catch((error: unknown) => say("error", `polling of ${target.queueName} stopped: ${ensureError(error).message}`));

  return {
    nudge: () => wake?.(),
    async stop() {
      abort.abort();
      await polling;
      await Promise.race([Promise.allSettled(inFlight), sleep(STOP_WAIT_MS, undefined, { ref: false })]);
    },
  };
}
