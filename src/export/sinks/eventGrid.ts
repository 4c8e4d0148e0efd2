/**
 * @module Events out to an Event Grid custom topic whose input schema is CloudEvents 1.0, through
 * `EventGridPublisherClient` with the app's Entra credential (the app holds EventGrid Data Sender on the
 * topic). Event Grid takes 1 MB per request and per event; the client retries 429 and 5xx itself.
 */
import type { TokenCredential } from "@azure/core-auth";
import { EventGridPublisherClient, type SendCloudEventInput } from "@azure/eventgrid";
import { eventsOf } from "../toEvents.js";
import { jsonBytes, sizedBatches, type ExportSink } from "./sink.js";

/** Event Grid's documented 1 MB, less room for the request's framing. */
const MAX_BATCH_BYTES = 1_000_000;
const MAX_BATCH_EVENTS = 500;

export interface EventGridSinkOptions {
  topicEndpoint: string;
  credential: TokenCredential;
  secrets: readonly string[];
  /** The local stack's CA, when the topic is the local cloud's. */
  ca?: string;
  maxRetries?: number;
}

export function eventGridSink(options: EventGridSinkOptions): ExportSink<SendCloudEventInput<unknown>> {
  const client = new EventGridPublisherClient(options.topicEndpoint, "CloudEvent", options.credential, {
    ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
    ...(options.maxRetries !== undefined ? { retryOptions: { maxRetries: options.maxRetries, retryDelayInMs: 50 } } : {}),
  });
  return {
    name: "eventgrid",
    sources: ["history", "findings", "reports", "notices"],
    outputs: (record) => eventsOf(record, options.secrets),
    oversize: (event) => (jsonBytes(event) > MAX_BATCH_BYTES ? `the event has ${jsonBytes(event)} bytes; Event Grid takes at most 1 MB` : undefined),
    batches: (events) => sizedBatches(events, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, jsonBytes),
    send: (batch) => client.send([...batch]),
  };
}
