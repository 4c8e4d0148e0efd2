/**
 * @module The export's settings: when the exportOut timer runs, the Event Grid topic events go to (a custom
 * topic, or a namespace and its topic), and the data collection endpoint, rule and streams Log Analytics rows
 * go through. Each destination is off until its settings are set.
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
  KVGUARD_EXPORT_NAMESPACE_ENDPOINT: httpsUrl("https://kvguard-ns.westeurope-1.eventgrid.azure.net").optional().register(docs, {
    description:
      "An Event Grid namespace's HTTP endpoint; with KVGUARD_EXPORT_NAMESPACE_TOPIC, kvguard publishes its events to that namespace topic instead of a custom topic.",
    example: "https://kvguard-ns.westeurope-1.eventgrid.azure.net",
  }),
  KVGUARD_EXPORT_NAMESPACE_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9-]{3,50}$/, { error: () => "is not a namespace topic name. Set it to the topic's name: 3 to 50 letters, digits and hyphens" })
    .optional()
    .register(docs, {
      description: "The namespace topic kvguard publishes its events to; with KVGUARD_EXPORT_NAMESPACE_ENDPOINT.",
      example: "kvguard-events",
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

/** Where events go: a custom topic's publish URL, or a namespace's endpoint and one of its topics. */
export type EventsDestination = { kind: "topic"; endpoint: string } | { kind: "namespace"; endpoint: string; topic: string };

export interface ExportConfig {
  /** Off when undefined. */
  events?: EventsDestination;
  logs?: { endpoint: string; ruleId: string; streams: { rotation: string; findings: string } };
}

/** A namespace's endpoint and topic go together, and events go to one place: a custom topic or a namespace topic. */
function eventsCrossCheck(value: Partial<Record<string, unknown>>, ctx: z.RefinementCtx): void {
  const endpoint = value.KVGUARD_EXPORT_NAMESPACE_ENDPOINT !== undefined;
  const topic = value.KVGUARD_EXPORT_NAMESPACE_TOPIC !== undefined;
  if (endpoint !== topic) {
    ctx.addIssue({
      code: "custom",
      path: [endpoint ? "KVGUARD_EXPORT_NAMESPACE_TOPIC" : "KVGUARD_EXPORT_NAMESPACE_ENDPOINT"],
      message: endpoint
        ? "is not set, but KVGUARD_EXPORT_NAMESPACE_ENDPOINT is. A namespace needs both: set it to the namespace topic's name, or remove KVGUARD_EXPORT_NAMESPACE_ENDPOINT"
        : "is not set, but KVGUARD_EXPORT_NAMESPACE_TOPIC is. A namespace needs both: set it to the namespace's HTTP endpoint, or remove KVGUARD_EXPORT_NAMESPACE_TOPIC",
    });
  }
  if (endpoint && value.KVGUARD_EXPORT_TOPIC_ENDPOINT !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["KVGUARD_EXPORT_NAMESPACE_ENDPOINT"],
      message:
        "is set, and so is KVGUARD_EXPORT_TOPIC_ENDPOINT. kvguard publishes its events to one topic: keep the namespace settings or the custom topic's, not both",
    });
  }
}

/** The endpoint and the rule go together; so do a namespace and its topic. */
export function exportCrossCheck(value: Partial<Record<string, unknown>>, ctx: z.RefinementCtx): void {
  eventsCrossCheck(value, ctx);
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
  const namespace = settings.KVGUARD_EXPORT_NAMESPACE_ENDPOINT;
  const topic = settings.KVGUARD_EXPORT_NAMESPACE_TOPIC;
  const events: EventsDestination | undefined =
    namespace && topic
      ? { kind: "namespace", endpoint: namespace, topic }
      : settings.KVGUARD_EXPORT_TOPIC_ENDPOINT
        ? { kind: "topic", endpoint: settings.KVGUARD_EXPORT_TOPIC_ENDPOINT }
        : undefined;
  return {
    ...(events ? { events } : {}),
    ...(endpoint && ruleId
      ? { logs: { endpoint, ruleId, streams: { rotation: settings.KVGUARD_EXPORT_ROTATION_STREAM, findings: settings.KVGUARD_EXPORT_FINDINGS_STREAM } } }
      : {}),
  };
}
