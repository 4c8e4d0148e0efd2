/**
 * @module Storage-queue triggers by polling Azurite with the app's queue worker (`src/state/queueWorker.ts`:
 * the host's hiding, retries and poison queue) and host.json's queue settings. Each message is handed to its
 * function as the Node worker hands it: parsed when it is JSON, with the host's trigger metadata.
 */
import type { QueueClient } from "@azure/storage-queue";
import type { StorageQueueFunctionDefinition } from "../../src/functions/table.js";
import { QueueWorker } from "../../src/state/queueWorker.js";
import type { QueueSettings } from "./hostJson.js";
import { createContext, functionLine, invoke, type LineWriter } from "./invocation.js";

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
  const say = (level: "information" | "warning" | "error", text: string) => write(functionLine(definition.name, level, text));
  const worker = new QueueWorker(
    target.queue,
    async ({ text, item }) => {
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
      // invoke logs what the function threw; the worker only needs to know that it failed.
      const outcome = await invoke(context, () => definition.handler(tryJsonParse(text), context));
      if (!outcome.ok) throw outcome.error;
    },
    {
      // The host runs up to batchSize + newBatchThreshold messages of one queue at once.
      concurrency: settings.batchSize + settings.newBatchThreshold,
      visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
      maxDequeueCount: settings.maxDequeueCount,
      poison: target.poison,
      maxPollingIntervalMs: settings.maxPollingIntervalMs,
      create: true,
      onError: (_error, message, retrying) => {
        if (retrying) say("warning", `try ${message.dequeueCount} of ${settings.maxDequeueCount} failed; retrying in ${settings.visibilityTimeoutSeconds} s`);
      },
      onPoisoned: (message) => {
        say("warning", `message ${message.id} moved to ${target.queueName}-poison after ${message.dequeueCount} tries`);
        onPoisoned(`${target.queueName}-poison`);
      },
      onPollError: (error) =>
        say(
          error ? "error" : "information",
          error ? `cannot poll queue ${target.queueName}: ${error.message}; retrying` : `queue ${target.queueName} is reachable again`,
        ),
    },
  );
  // Every queue call in the worker is guarded; this only reports a bug instead of an unhandled rejection.
  const polling = worker.run().catch((error: unknown) => say("error", `polling of ${target.queueName} stopped: ${(error as Error).message}`));
  return {
    nudge: () => worker.nudge(),
    async stop() {
      await worker.stop();
      await polling;
    },
  };
}
