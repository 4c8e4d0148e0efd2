/**
 * @module The hooks the rotation engine, the audit pipeline and the reports are given (by the app): build
 * alerts from what they have and dispatch them. A no-op when alerting is not configured; a dispatch that fails
 * (storage unreachable) is logged, never thrown into the caller, so an alert problem cannot fail a rotation or
 * a scan.
 */
import { ensureError } from "../common/errors.js";
import { printErrorLine } from "../common/logText.js";
import type { Finding } from "../audit/finding.js";
import type { Alert } from "./alert.js";
import type { DispatchReport } from "./dispatcher.js";
import { alertsFromFindings } from "./fromFindings.js";
import { alertsFromRotation, type RotationInput } from "./fromRotation.js";
import type { Alerting } from "./alerting.js";

export interface NotifyOptions {
  /** Values the caller knows must not appear (a rotated value). */
  secrets?: readonly string[];
  log?: (line: string) => void;
}

export interface Notifier {
  notify(alerts: readonly Alert[], options?: NotifyOptions): Promise<DispatchReport | undefined>;
  /** After a rotation job: its result, or the error it threw with the object's status after it. */
  notifyRotation(input: RotationInput, options?: NotifyOptions): Promise<DispatchReport | undefined>;
  /** After an audit scan: the new findings; `vaultResourceIds` (name → resource id) makes portal links exact. */
  notifyFindings(
    findings: readonly Finding[],
    options?: NotifyOptions & { vaultResourceIds?: Readonly<Record<string, string>> },
  ): Promise<DispatchReport | undefined>;
}

/**
 * @param alerting - the dispatcher and sinks (undefined when alerting is off), asked for only when there is
 * something to send
 * @param detectorNames - a detector's name by id, for the titles of finding alerts (the app's detector set),
 * asked for only when there are findings
 */
export function createNotifier(alerting: () => Promise<Alerting | undefined>, detectorNames?: () => Promise<(id: string) => string | undefined>): Notifier {
  const notify = async (alerts: readonly Alert[], options: NotifyOptions = {}) => {
    if (alerts.length === 0) return undefined;
    const log = options.log ?? printErrorLine;
    try {
      const current = await alerting();
      return current ? await current.dispatcher.dispatch(alerts, options.secrets ? { secrets: options.secrets } : {}) : undefined;
    } catch (error) {
      log(
        `alerts: could not dispatch ${alerts.length} alert(s) (${alerts
          .map((a) => a.title)
          .join("; ")
          .slice(0, 300)}): ${ensureError(error).message}`,
      );
      return undefined;
    }
  };
  return {
    notify,
    notifyRotation: (input, options) => notify(alertsFromRotation(input), options),
    notifyFindings: async (findings, options = {}) => notify(alertsFromFindings(findings, options.vaultResourceIds, await detectorNames?.()), options),
  };
}
