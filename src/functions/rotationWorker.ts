/** @module Queue `rotationWorker`: runs one rotation job; a failure is retried by the queue, then poisoned. */
import type { InvocationContext } from "@azure/functions";
import { currentApp } from "../app/index.js";
import type { StorageQueueFunctionDefinition } from "./table.js";

export async function rotationWorkerHandler(message: unknown, context: InvocationContext): Promise<void> {
  const result = await (await currentApp().rotation()).processMessage(message);
  const log = result.outcome === "rejected" ? context.warn.bind(context) : context.log.bind(context);
  log(`rotation job: ${result.outcome}: ${result.message}`);
}

export const rotationWorker: StorageQueueFunctionDefinition = {
  kind: "storageQueue",
  name: "rotationWorker",
  queueName: "%KVGUARD_ROTATION_QUEUE%",
  connection: "AzureWebJobsStorage",
  handler: rotationWorkerHandler,
};
