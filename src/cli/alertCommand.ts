/**
 * @module `kvguard alert test --channel NAME [--kind KIND]`: sends a sample alert straight to one channel
 * (no dedup, quiet hours, digest or rate limit), with delivery retries, to check its configuration.
 */
import { parseArgs } from "node:util";
import { ALERT_KINDS, type AlertKind } from "../alerts/alert.js";
import { deliverWithRetry } from "../alerts/delivery.js";
import { single } from "../alerts/message.js";
import { sampleAlert } from "../alerts/samples.js";
import { createApp } from "../app/index.js";
import { lineWriter } from "../common/logText.js";

export const alertUsage = "kvguard alert test --channel NAME [--kind KIND]   send a sample alert to one channel (kinds: " + ALERT_KINDS.join(", ") + ")";

export async function alertCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { channel: { type: "string" }, kind: { type: "string", default: "rotation-failed" } },
    allowPositionals: true,
  });
  if (positionals[0] !== "test") throw new Error(`unknown: alert ${positionals.join(" ")}; usage: ${alertUsage}`);
  const kind = values.kind as AlertKind;
  if (!ALERT_KINDS.includes(kind)) throw new Error(`--kind ${values.kind} is not an alert kind; use one of ${ALERT_KINDS.join(", ")}`);
  const print = lineWriter(out);
  const alerting = await createApp(process.env, { alerts: { log: print } }).alerting();
  if (!alerting) throw new Error("KVGUARD_ALERT_RULES is not set: define channels and routes first (docs/alerts.md)");
  try {
    const names = Object.keys(alerting.sinks);
    const sink = values.channel ? alerting.sinks[values.channel] : undefined;
    if (!sink) throw new Error(`${values.channel ? `no channel ${values.channel}` : "--channel is missing"}; the rules define ${names.join(", ")}`);
    const message = single(sampleAlert(kind));
    const result = await deliverWithRetry(sink, message);
    if (!result.ok) {
      print(`${values.channel} (${sink.type}): not delivered after ${result.attempts} attempt(s): ${result.error}`);
      return 1;
    }
    print(`${values.channel} (${sink.type}): sample ${kind} alert delivered (message ${message.id})`);
    return 0;
  } finally {
    alerting.close();
  }
}
