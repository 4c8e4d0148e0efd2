/**
 * @module Alerting's entry points: build alerts from rotation results and audit findings, and hand them to
 * the dispatcher (the app builds it: `app.alerting()`, and the notifier over it: `app.notifier()`).
 */
export { ALERT_KINDS, ALERT_SEVERITIES, type Alert, type AlertKind, type AlertSeverity } from "./alert.js";
export { AlertDispatcher, type DispatchReport, type FlushReport } from "./dispatcher.js";
export { alertFromReport, type ReadyReport } from "./fromReport.js";
export { alertsFromFindings } from "./fromFindings.js";
export { alertsFromRotation, type RotationInput } from "./fromRotation.js";
export { createAlerting, type Alerting } from "./alerting.js";
export { createNotifier, type Notifier, type NotifyOptions } from "./notifier.js";
export { SecretLeakError } from "./secretGuard.js";
