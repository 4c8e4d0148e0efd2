/** @module Queue `rotationPoison`: records the jobs the queue gave up on, so none is silently lost. */
import type { InvocationContext } from "@azure/functions";
import { currentApp } from "../app/index.js";
import type { StorageQueueFunctionDefinition } from "./table.js";

export async function rotationPoisonHandler(message: unknown, context: InvocationContext): Promise<void> {
  await (await currentApp().rotation()).recordPoisoned(message);
  context.error(`rotation job gave up after repeated failures: ${JSON.stringify(message)}`);
}

export const rotationPoison: StorageQueueFunctionDefinition = {
  kind: "storageQueue",
  name: "rotationPoison",
  queueName: "%KVGUARD_ROTATION_QUEUE%-poison",
  connection: "AzureWebJobsStorage",
  handler: rotationPoisonHandler,
};
