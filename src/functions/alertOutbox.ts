/** @module Timer `alertOutbox`: retries alerts still in the outbox and sends due digests and held summaries. */
import type { InvocationContext, Timer } from "@azure/functions";
import { currentApp } from "../app/index.js";
import type { TimerFunctionDefinition } from "./table.js";

export async function alertOutboxHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  // The dispatcher the rotation and audit hooks share.
  const current = await currentApp().alerting();
  if (!current) {
    context.log("alerts: KVGUARD_ALERT_RULES is not set; nothing to send");
    return;
  }
  const report = await current.dispatcher.flush();
  context.log(`alerts: outbox ${report.outboxDelivered} delivered, ${report.outboxLeft} left; ${report.summariesSent} summaries sent, ${report.queued} queued`);
}

export const alertOutbox: TimerFunctionDefinition = {
  kind: "timer",
  name: "alertOutbox",
  // Resolved from the app setting (its schema default when unset), as the host resolves %NAME%.
  schedule: "%KVGUARD_ALERT_SCHEDULE%",
  handler: alertOutboxHandler,
};
