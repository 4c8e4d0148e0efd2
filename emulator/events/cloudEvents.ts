/**
 * @module Wire shapes of what Event Grid sends a webhook: a Key Vault event in the CloudEvents v1.0 schema
 * (same PascalCase `data`; `source` is the vault's resource id, the Event Grid schema's `topic`) and the
 * subscription validation event of the Event Grid schema's handshake.
 */
import { randomUUID } from "node:crypto";
import type { KeyVaultEvent, KeyVaultEventData } from "./bus.js";

/** Who Event Grid says it is in the CloudEvents abuse-protection handshake. */
export const EVENT_GRID_ORIGIN = "eventgrid.azure.net";

export interface KeyVaultCloudEvent {
  source: string;
  subject: string;
  type: string;
  time: string;
  id: string;
  data: KeyVaultEventData;
  specversion: "1.0";
}

/** Field order follows Event Grid's own sample. */
export function toCloudEvent(event: KeyVaultEvent): KeyVaultCloudEvent {
  return {
    source: event.topic,
    subject: event.subject,
    type: event.eventType,
    time: event.eventTime,
    id: event.id,
    data: { ...event.data },
    specversion: "1.0",
  };
}

export interface SubscriptionValidationEvent {
  id: string;
  topic: string;
  subject: "";
  data: { validationCode: string; validationUrl: string };
  eventType: "Microsoft.EventGrid.SubscriptionValidationEvent";
  eventTime: string;
  metadataVersion: "1";
  dataVersion: "1";
}

export function validationEvent(topic: string, validationCode: string, validationUrl: string, nowMs: number): SubscriptionValidationEvent {
  return {
    id: randomUUID(),
    topic,
    subject: "",
    data: { validationCode, validationUrl },
    eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
    eventTime: new Date(nowMs).toISOString(),
    metadataVersion: "1",
    dataVersion: "1",
  };
}

/** The code from a handshake answer: `validationResponse`, its key matched case-insensitively. */
export function validationResponseCode(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  for (const [key, value] of Object.entries(parsed)) {
    if (key.toLowerCase() === "validationresponse" && typeof value === "string") return value;
  }
  return undefined;
}
