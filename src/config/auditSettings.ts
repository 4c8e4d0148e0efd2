/** @module The audit pipeline's settings: when it scans. */
import type { z } from "zod";
import { docs } from "./docs.js";
import { ncrontab } from "./ncrontab.js";

export const auditShape = {
  KVGUARD_AUDIT_SCHEDULE: ncrontab("0 */15 * * * *").default("0 */15 * * * *").register(docs, {
    description: "When the audit scan reads new audit records and runs the detectors (NCRONTAB, UTC).",
  }),
};

export type AuditSettings = z.output<z.ZodObject<typeof auditShape>>;

export interface AuditConfig {
  schedule: string;
}

export function auditConfig(settings: AuditSettings): AuditConfig {
  return { schedule: settings.KVGUARD_AUDIT_SCHEDULE };
}
