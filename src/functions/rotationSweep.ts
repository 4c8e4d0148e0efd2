/** @module Timer `rotationSweep`: finds what is due in every vault and enqueues one job per object. */
import type { InvocationContext, Timer } from "@azure/functions";
import { currentApp } from "../app/index.js";
import type { TimerFunctionDefinition } from "./table.js";

export async function rotationSweepHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const report = await (await currentApp().rotation()).sweep();
  context.log(
    `sweep: ${report.secrets} secrets, ${report.keys} keys; ${report.enqueued} jobs enqueued (${report.resumed} resumed, ${report.revokes} revokes); ` +
      `${report.noPolicy.length} without policy, ${report.invalid.length} invalid, ${report.backingOff} backing off`,
  );
  // Warned once per change of the policy's problems; the status table and `kvguard plan` keep listing them.
  for (const invalid of report.invalid.filter((i) => i.changed)) context.warn(`${invalid.object}: ${invalid.problems.join("; ")}`);
  for (const failure of report.errors) context.error(`vault ${failure.vault}: ${failure.error}`);
}

export const rotationSweep: TimerFunctionDefinition = {
  kind: "timer",
  name: "rotationSweep",
  // Resolved from the app setting (its schema default when unset), as the host resolves %NAME%.
  schedule: "%KVGUARD_ROTATION_SCHEDULE%",
  handler: rotationSweepHandler,
};
