/**
 * @module What a custom topic accepts, as Event Grid documents it: the body's content type for the topic's
 * input schema, 1 MB per request and per event (413), the Event Grid schema's required `id`, `subject`,
 * `eventType`, `eventTime` (with `topic`, `dataVersion` and `metadataVersion` stamped), or CloudEvents 1.0's
 * required `specversion`, `id`, `source`, `type` and its attribute rules. One bad event refuses the whole
 * request (400) and nothing is delivered. Accepted events are kept in both delivery schemas.
 */
import { CloudError } from "../host.js";
import type { InputSchema } from "./topic.js";

/** Documented as 1 MB for the request and for each event; taken as 1,048,576 bytes. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
export const MAX_EVENT_BYTES = 1024 * 1024;

export interface EventGridEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data?: unknown;
  dataVersion: string;
  metadataVersion: string;
}

/** An accepted event, in the shapes it is delivered in (no Event Grid shape for CloudEvents input). */
export interface TopicEvent {
  eventType: string;
  subject: string;
  eventGrid?: EventGridEvent;
  cloudEvent: Record<string, unknown>;
}

/** Event Grid's error body: the status's name as the code, the same again in details. */
export function publishError(status: 400 | 401 | 404 | 413, message: string): CloudError {
  const code = { 400: "BadRequest", 401: "Unauthorized", 404: "NotFound", 413: "RequestEntityTooLarge" }[status];
  return new CloudError(status, code, message, {}, [{ code, message }]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTimestamp(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
}

function requireString(event: Record<string, unknown>, field: string, where: string): string {
  const value = event[field];
  if (value === undefined || value === null) throw publishError(400, `${where}: required property '${field}' was not set.`);
  if (typeof value !== "string" || value === "") throw publishError(400, `${where}: property '${field}' must be a non-empty string.`);
  return value;
}

function eventGridEvent(raw: unknown, index: number, topic: string): TopicEvent {
  const where = `event #${index + 1}`;
  if (!isObject(raw)) throw publishError(400, `${where} is not a JSON object.`);
  const id = requireString(raw, "id", where);
  const subject = requireString(raw, "subject", where);
  const eventType = requireString(raw, "eventType", where);
  const eventTime = requireString(raw, "eventTime", where);
  if (!isTimestamp(eventTime)) throw publishError(400, `${where}: eventTime '${eventTime}' is not an ISO 8601 date and time.`);
  if (raw.topic !== undefined && raw.topic !== null && (typeof raw.topic !== "string" || raw.topic.toLowerCase() !== topic.toLowerCase())) {
    throw publishError(400, `${where}: property 'topic' was ${JSON.stringify(raw.topic)}; when set it must be the topic's resource id '${topic}'.`);
  }
  if (raw.metadataVersion !== undefined && raw.metadataVersion !== null && raw.metadataVersion !== "1") {
    throw publishError(400, `${where}: property 'metadataVersion' must be '1' when set.`);
  }
  if (raw.dataVersion !== undefined && raw.dataVersion !== null && typeof raw.dataVersion !== "string") {
    throw publishError(400, `${where}: property 'dataVersion' must be a string.`);
  }
  const event: EventGridEvent = {
    id,
    topic,
    subject,
    eventType,
    eventTime,
    ...(raw.data !== undefined ? { data: raw.data } : {}),
    dataVersion: (raw.dataVersion as string | undefined) ?? "",
    metadataVersion: "1",
  };
  // The Event Grid schema delivers as CloudEvents too: Event Grid's own transformation.
  const cloudEvent = {
    source: topic,
    subject,
    type: eventType,
    time: eventTime,
    id,
    ...(raw.data !== undefined ? { data: raw.data } : {}),
    specversion: "1.0",
  };
  return { eventType, subject, eventGrid: event, cloudEvent };
}

const CONTEXT_ATTRIBUTES = new Set(["specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time", "data", "data_base64"]);

function cloudEvent(raw: unknown, index: number): TopicEvent {
  const where = `event #${index + 1}`;
  if (!isObject(raw)) throw publishError(400, `${where} is not a JSON object.`);
  const specversion = requireString(raw, "specversion", where);
  if (specversion !== "1.0") throw publishError(400, `${where}: specversion '${specversion}' is not supported; use '1.0'.`);
  requireString(raw, "id", where);
  requireString(raw, "source", where);
  const type = requireString(raw, "type", where);
  for (const field of ["subject", "datacontenttype", "dataschema"]) {
    if (raw[field] !== undefined && typeof raw[field] !== "string") throw publishError(400, `${where}: property '${field}' must be a string.`);
  }
  // CloudEvents 1.0: dataschema is an absolute URI (a scheme, then something).
  if (typeof raw.dataschema === "string" && !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(raw.dataschema)) {
    throw publishError(400, `${where}: dataschema '${raw.dataschema}' is not an absolute URI.`);
  }
  if (raw.time !== undefined && (typeof raw.time !== "string" || !isTimestamp(raw.time))) {
    throw publishError(400, `${where}: time ${JSON.stringify(raw.time)} is not an RFC 3339 timestamp.`);
  }
  if (raw.data !== undefined && raw.data_base64 !== undefined) throw publishError(400, `${where}: 'data' and 'data_base64' cannot both be set.`);
  if (raw.data_base64 !== undefined && (typeof raw.data_base64 !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw.data_base64))) {
    throw publishError(400, `${where}: 'data_base64' must be a base64 string.`);
  }
  for (const [name, value] of Object.entries(raw)) {
    if (CONTEXT_ATTRIBUTES.has(name)) continue;
    if (!/^[a-z0-9]{1,20}$/.test(name)) {
      throw publishError(400, `${where}: extension attribute '${name}' is invalid: names are 1-20 lower-case letters or digits.`);
    }
    if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
      throw publishError(400, `${where}: extension attribute '${name}' must be a string, number or boolean.`);
    }
  }
  return { eventType: type, subject: typeof raw.subject === "string" ? raw.subject : "", cloudEvent: raw };
}

/** The media type without parameters, lower-cased. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * The events of a publish request, validated for the topic's input schema.
 * @throws CloudError 400 (content type, JSON, an event), 413 (request or one event over 1 MB)
 */
export function parsePublish(raw: Buffer, contentType: string | undefined, schema: InputSchema, topic: string): TopicEvent[] {
  if (raw.length > MAX_REQUEST_BYTES)
    throw publishError(413, `The maximum size (${MAX_REQUEST_BYTES}) has been exceeded: the request has ${raw.length} bytes.`);
  const type = mediaType(contentType);
  const cloudEvents = schema === "CloudEventSchemaV1_0";
  const accepted = cloudEvents ? ["application/cloudevents-batch+json", "application/cloudevents+json"] : ["application/json"];
  if (!accepted.includes(type)) {
    throw publishError(400, `Content-Type '${contentType ?? ""}' is not accepted by a topic whose input schema is ${schema}: use ${accepted.join(" or ")}.`);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    throw publishError(400, "The request body is not valid JSON.");
  }
  const single = type === "application/cloudevents+json";
  if (single ? !isObject(body) : !Array.isArray(body)) {
    throw publishError(400, single ? "A application/cloudevents+json body must be one JSON object." : "The request body must be a JSON array of events.");
  }
  const items = single ? [body] : (body as unknown[]);
  if (items.length === 0) throw publishError(400, "The request contains no events.");
  return items.map((item, i) => {
    const size = Buffer.byteLength(JSON.stringify(item));
    if (size > MAX_EVENT_BYTES) throw publishError(413, `The maximum size (${MAX_EVENT_BYTES}) has been exceeded: event #${i + 1} has ${size} bytes.`);
    return cloudEvents ? cloudEvent(item, i) : eventGridEvent(item, i, topic);
  });
}
