/**
 * @module The hooks the rotation engine, the audit pipeline and the reports call: build alerts from what they
 * have and dispatch them through one process-wide dispatcher built from the settings. A no-op when alerting is
 * not configured; a dispatch that fails (storage unreachable) is logged, never thrown into the caller, so an
 * alert problem cannot fail a rotation or a scan.
 */
import { ensureError } from "../common/errors.js";
import { printErrorLine } from "../common/logText.js";
import type { Finding } from "../audit/finding.js";
import type { Alert } from "./alert.js";
import type { DispatchReport } from "./dispatcher.js";
import { alertsFromFindings } from "./fromFindings.js";
import { alertsFromRotation, type RotationInput } from "./fromRotation.js";
import { alertingFromSettings, type Alerting } from "./fromSettings.js";

type Factory = () => Promise<Alerting | undefined>;

let factory: Factory = () => alertingFromSettings();
let instance: Promise<Alerting | undefined> | undefined;

/** The process-wide dispatcher and sinks (undefined when alerting is off), built on first use. */
export function alerting(): Promise<Alerting | undefined> {
  instance ??= factory().catch((error: unknown) => {
    instance = undefined;
    throw error;
  });
  return instance;
}

/** Replaces how the dispatcher is built (the local stack, tests); the next call builds it anew. */
export function useAlerting(next: Factory): void {
  factory = next;
  instance = undefined;
}

export interface NotifyOptions {
  /** Values the caller knows must not appear (a rotated value). */
  secrets?: readonly string[];
  log?: (line: string) => void;
}

export async function notify(alerts: readonly Alert[], options: NotifyOptions = {}): Promise<DispatchReport | undefined> {
  if (alerts.length === 0) return undefined;
  const log = options.log ?? printErrorLine;
  try {
    const current = await alerting();
    return current ? await current.dispatcher.dispatch(alerts, options.secrets ? { secrets: options.secrets } : {}) : undefined;
  } catch (error) {
    log(`alerts: could not dispatch ${alerts.length} alert(s) (${alerts.map((a) => a.title).join("; ").slice(0, 300)}): ${ensureError(error).message}`);
    return undefined;
  }
}

/** After a rotation job: its result, or the error it threw with the object's status after it. */
export function notifyRotation(input: RotationInput, options: NotifyOptions = {}): Promise<DispatchReport | undefined> {
  return notify(alertsFromRotation(input), options);
}

/** After an audit scan: the new findings; `vaultResourceIds` (name → resource id) makes portal links exact. */
export function notifyFindings(
  findings: readonly Finding[],
  options: NotifyOptions & { vaultResourceIds?: Readonly<Record<string, string>> } = {},
): Promise<DispatchReport | undefined> {
  return notify(alertsFromFindings(findings, options.vaultResourceIds), options);
}
