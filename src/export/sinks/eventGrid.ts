/**
 * @module Events out to Event Grid with the app's Entra credential (the app holds EventGrid Data Sender):
 * one sink, two transports. A custom topic whose input schema is CloudEvents 1.0 takes them through
 * `EventGridPublisherClient`; a namespace topic through `EventGridSenderClient` (`@azure/eventgrid-namespaces`).
 * Both take 1 MB per request and per event (a namespace 1,000 events per request); both clients retry 429
 * and 5xx themselves. Ledger, batches and refusals are the same whichever transport sends.
 */
import type { TokenCredential } from "@azure/core-auth";
import { EventGridPublisherClient, type SendCloudEventInput } from "@azure/eventgrid";
import { EventGridSenderClient } from "@azure/eventgrid-namespaces";
import type { EventsDestination } from "../../config/exportSettings.js";
import { eventsOf } from "../toEvents.js";
import { jsonBytes, sizedBatches, type ExportSink } from "./sink.js";

/** Event Grid's documented 1 MB, less room for the request's framing. */
const MAX_BATCH_BYTES = 1_000_000;
const MAX_BATCH_EVENTS = 500;

export interface EventGridSinkOptions {
  destination: EventsDestination;
  credential: TokenCredential;
  secrets: readonly string[];
  /** The local stack's CA, when the topic is the local cloud's. */
  ca?: string;
  maxRetries?: number;
}

type Event = SendCloudEventInput<unknown>;

function transport(options: EventGridSinkOptions): (batch: readonly Event[]) => Promise<void> {
  const clientOptions = {
    ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
    ...(options.maxRetries !== undefined ? { retryOptions: { maxRetries: options.maxRetries, retryDelayInMs: 50 } } : {}),
  };
  const { destination } = options;
  if (destination.kind === "topic") {
    const client = new EventGridPublisherClient(destination.endpoint, "CloudEvent", options.credential, clientOptions);
    return (batch) => client.send([...batch]);
  }
  const client = new EventGridSenderClient(destination.endpoint, options.credential, destination.topic, clientOptions);
  // The namespace client names the CloudEvents attributes in camelCase.
  return (batch) =>
    client.sendEvents(
      batch.map((event) => ({
        type: event.type,
        source: event.source,
        id: event.id!,
        ...(event.time ? { time: event.time } : {}),
        ...(event.subject !== undefined ? { subject: event.subject } : {}),
        ...(event.dataschema !== undefined ? { dataSchema: event.dataschema } : {}),
        ...(event.datacontenttype !== undefined ? { dataContentType: event.datacontenttype } : {}),
        data: event.data,
      })),
    );
}

export function eventGridSink(options: EventGridSinkOptions): ExportSink<Event> {
  const send = transport(options);
  return {
    name: "eventgrid",
    sources: ["history", "findings", "reports", "notices"],
    outputs: (record) => eventsOf(record, options.secrets),
    oversize: (event) => (jsonBytes(event) > MAX_BATCH_BYTES ? `the event has ${jsonBytes(event)} bytes; Event Grid takes at most 1 MB` : undefined),
    batches: (events) => sizedBatches(events, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, jsonBytes),
    send,
  };
}
