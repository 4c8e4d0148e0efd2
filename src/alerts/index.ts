/**
 * @module Alerting's entry points: build alerts from rotation results and audit findings, and hand them to
 * the dispatcher (`alertingFromSettings().dispatcher.dispatch(alerts)`).
 */
export { ALERT_KINDS, ALERT_SEVERITIES, type Alert, type AlertKind, type AlertSeverity } from "./alert.js";
export { AlertDispatcher, type DispatchReport, type FlushReport } from "./dispatcher.js";
export { alertFromReport, type ReadyReport } from "./fromReport.js";
export { alertsFromFindings } from "./fromFindings.js";
export { alertsFromRotation, type RotationInput } from "./fromRotation.js";
export { alertingFromSettings, type Alerting } from "./fromSettings.js";
export { alerting, notify, notifyFindings, notifyRotation, useAlerting, type NotifyOptions } from "./notify.js";
export { SecretLeakError } from "./secretGuard.js";
