/**
 * @module The export's settings: when the exportOut timer runs, the Event Grid topic events go to, and the
 * data collection endpoint, rule and streams Log Analytics rows go through. Each destination is off until
 * its settings are set.
 */
import { z } from "zod";
import { docs } from "./docs.js";
import { ncrontab } from "./ncrontab.js";

const EVERY_5_MINUTES = "0 */5 * * * *";

const httpsUrl = (example: string) =>
  z.url({ protocol: /^https$/, error: () => `is not an https URL. Set it to a URL such as ${example}` }).transform((url) => url.replace(/\/+$/, ""));

const stream = (example: string) =>
  z
    .string()
    .regex(/^Custom-[A-Za-z0-9_]{1,100}$/, { error: () => `is not a custom stream name. Set it to the rule's stream, such as ${example}` })
    .default(example);

export const exportShape = {
  KVGUARD_EXPORT_SCHEDULE: ncrontab(EVERY_5_MINUTES).default(EVERY_5_MINUTES).register(docs, {
    description: "When the exportOut timer sends new rotation history, findings and reports to Event Grid and Log Analytics (NCRONTAB, UTC).",
  }),
  KVGUARD_EXPORT_TOPIC_ENDPOINT: httpsUrl("https://kvguard-events.westeurope-1.eventgrid.azure.net/api/events").optional().register(docs, {
    description: "The Event Grid custom topic (CloudEvents 1.0 input) kvguard publishes its events to; events are off when not set.",
    example: "https://kvguard-events.westeurope-1.eventgrid.azure.net/api/events",
  }),
  KVGUARD_EXPORT_DCE_ENDPOINT: httpsUrl("https://kvguard-dce-abcd.westeurope-1.ingest.monitor.azure.com").optional().register(docs, {
    description: "The data collection endpoint's logs ingestion URL; with KVGUARD_EXPORT_DCR_ID, turns on ingestion into Log Analytics.",
    example: "https://kvguard-dce-abcd.westeurope-1.ingest.monitor.azure.com",
  }),
  KVGUARD_EXPORT_DCR_ID: z
    .string()
    .regex(/^dcr-[0-9a-f]{32}$/, {
      error: () => "is not a data collection rule's immutable id. Set it to the rule's immutableId, such as dcr-00000000000000000000000000000000",
    })
    .optional()
    .register(docs, {
      description: "The data collection rule's immutable id (dcr-…); with KVGUARD_EXPORT_DCE_ENDPOINT.",
      example: "dcr-0123456789abcdef0123456789abcdef",
    }),
  KVGUARD_EXPORT_ROTATION_STREAM: stream("Custom-KvguardRotation").register(docs, {
    description: "The rule's input stream rotation history rows go to (table KvguardRotation_CL).",
  }),
  KVGUARD_EXPORT_FINDINGS_STREAM: stream("Custom-KvguardFindings").register(docs, {
    description: "The rule's input stream findings go to (table KvguardFindings_CL).",
  }),
};

export type ExportSettings = z.output<z.ZodObject<typeof exportShape>>;

export interface ExportConfig {
  /** Off when undefined. */
  topicEndpoint?: string;
  logs?: { endpoint: string; ruleId: string; streams: { rotation: string; findings: string } };
}

/** The endpoint and the rule go together. */
export function exportCrossCheck(value: Partial<Record<string, unknown>>, ctx: z.RefinementCtx): void {
  const dce = value.KVGUARD_EXPORT_DCE_ENDPOINT !== undefined;
  const dcr = value.KVGUARD_EXPORT_DCR_ID !== undefined;
  if (dce === dcr) return;
  ctx.addIssue({
    code: "custom",
    path: [dce ? "KVGUARD_EXPORT_DCR_ID" : "KVGUARD_EXPORT_DCE_ENDPOINT"],
    message: dce
      ? "is not set, but KVGUARD_EXPORT_DCE_ENDPOINT is. Ingestion needs both: set it to the data collection rule's immutable id, or remove KVGUARD_EXPORT_DCE_ENDPOINT"
      : "is not set, but KVGUARD_EXPORT_DCR_ID is. Ingestion needs both: set it to the data collection endpoint's logs ingestion URL, or remove KVGUARD_EXPORT_DCR_ID",
  });
}

export function exportConfig(settings: ExportSettings): ExportConfig {
  const endpoint = settings.KVGUARD_EXPORT_DCE_ENDPOINT;
  const ruleId = settings.KVGUARD_EXPORT_DCR_ID;
  return {
    ...(settings.KVGUARD_EXPORT_TOPIC_ENDPOINT ? { topicEndpoint: settings.KVGUARD_EXPORT_TOPIC_ENDPOINT } : {}),
    ...(endpoint && ruleId
      ? { logs: { endpoint, ruleId, streams: { rotation: settings.KVGUARD_EXPORT_ROTATION_STREAM, findings: settings.KVGUARD_EXPORT_FINDINGS_STREAM } } }
      : {}),
  };
}
