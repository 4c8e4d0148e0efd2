/**
 * @module Event Grid `onVaultEvent`: Key Vault's near-expiry and expiry events become rotation jobs. A
 * malformed or foreign event is logged and acknowledged: Event Grid retrying it could never help.
 */
import type { EventGridEvent, InvocationContext } from "@azure/functions";
import { currentApp } from "../app/index.js";
import type { EventGridFunctionDefinition } from "./table.js";

export async function onVaultEventHandler(event: EventGridEvent, context: InvocationContext): Promise<void> {
  const report = await (await currentApp().rotation()).acceptEvents(event);
  // The host hands over whatever was posted: read the id and type defensively.
  const { id = "?", eventType = "?" } = (event as Partial<EventGridEvent> | null) ?? {};
  if (report.accepted) context.log(`event ${id}: rotation job enqueued`);
  else if (report.duplicates) context.log(`event ${id}: already handled`);
  else if (report.ignored) context.log(`event ${id}: ${eventType} does not trigger rotation`);
  for (const rejected of report.rejected) context.warn(`event ${rejected.id ?? "?"} rejected: ${rejected.reason}`);
}

export const onVaultEvent: EventGridFunctionDefinition = {
  kind: "eventGrid",
  name: "onVaultEvent",
  handler: onVaultEventHandler,
};
