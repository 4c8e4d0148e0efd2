/**
 * @module The doctor's optional alert check (`--send-test-alert`): one sample alert, marked as a test,
 * straight to every channel the rules define (as `kvguard alert test` does for one), each a check.
 */
import { deliverWithRetry } from "../alerts/delivery.js";
import { single } from "../alerts/message.js";
import { sampleAlert } from "../alerts/samples.js";
import { sinkPlugin } from "../alerts/sinks/registry.js";
import type { App } from "../app/index.js";
import { CheckFailure, runCheck, type CheckResult } from "./check.js";

export async function alertChecks(app: App, timeoutMs: number): Promise<CheckResult[]> {
  const alerting = await app.alerting();
  if (!alerting) {
    return [
      {
        name: "alerts",
        status: "failed",
        detail: "--send-test-alert was given, but KVGUARD_ALERT_RULES is not set",
        fix: "define channels and routes in KVGUARD_ALERT_RULES (docs/alerts.md), or leave out --send-test-alert",
      },
    ];
  }
  try {
    const results: CheckResult[] = [];
    for (const [name, sink] of Object.entries(alerting.sinks)) {
      const alert = { ...sampleAlert("rotation-failed"), title: "kvguard doctor: test alert (nothing failed)" };
      results.push(
        await runCheck(
          `alerts: ${name}`,
          timeoutMs,
          async () => {
            const result = await deliverWithRetry(sink, single(alert));
            if (!result.ok) {
              throw new CheckFailure(
                `${sink.type} channel: not delivered after ${result.attempts} attempt(s): ${result.error}`,
                `check channel ${name}'s connection in ${sinkPlugin(sink.type).connectionSetting} and that the service accepts kvguard`,
              );
            }
            return `${sink.type} channel: test alert delivered (message ${alert.id})`;
          },
          (error) => ({ detail: error.message, fix: `check channel ${name}'s connection in ${sinkPlugin(sink.type).connectionSetting}` }),
        ),
      );
    }
    return results;
  } finally {
    alerting.close();
  }
}
