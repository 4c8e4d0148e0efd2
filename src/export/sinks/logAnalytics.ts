/**
 * @module Rotation history and findings out to Log Analytics custom tables through the Logs Ingestion API
 * (`LogsIngestionClient`, the app's Entra credential holding Monitoring Metrics Publisher on the rule). Each
 * call carries one stream's rows within 1 MB, so a call is all or nothing; the client gzips it and retries
 * 429 (after Retry-After) and 5xx itself.
 */
import type { TokenCredential } from "@azure/core-auth";
import { isAggregateLogsUploadError, LogsIngestionClient } from "@azure/monitor-ingestion";
import { statusOf } from "../../common/errors.js";
import { rowsOf } from "../tables.js";
import { jsonBytes, sizedBatches, type ExportSink } from "./sink.js";

/** The API's 1 MB per call, less room: a batch is then never split by the client. */
const MAX_BATCH_BYTES = 1_000_000;
const MAX_BATCH_ROWS = 5_000;

export interface LogAnalyticsSinkOptions {
  endpoint: string;
  ruleId: string;
  /** The rule's stream for each table's rows (defaults: Custom-KvguardRotation, Custom-KvguardFindings). */
  streams: { rotation: string; findings: string };
  credential: TokenCredential;
  secrets: readonly string[];
  ca?: string;
  maxRetries?: number;
}

type Item = { stream: string; row: Record<string, unknown> };

export function logAnalyticsSink(options: LogAnalyticsSinkOptions): ExportSink<Item> {
  const client = new LogsIngestionClient(options.endpoint, options.credential, {
    ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
    ...(options.maxRetries !== undefined ? { retryOptions: { maxRetries: options.maxRetries, retryDelayInMs: 50 } } : {}),
  });
  const streamFor = (defaultStream: string) => (defaultStream === "Custom-KvguardRotation" ? options.streams.rotation : options.streams.findings);
  return {
    name: "loganalytics",
    sources: ["history", "findings"],
    outputs: (record) => rowsOf(record, options.secrets).map((o) => ("item" in o ? { ...o, item: { stream: streamFor(o.item.stream), row: o.item.row } } : o)),
    oversize: (item) =>
      jsonBytes(item.row) > MAX_BATCH_BYTES ? `the row has ${jsonBytes(item.row)} bytes; the Logs Ingestion API takes at most 1 MB per call` : undefined,
    batches: (items) => sizedBatches(items, MAX_BATCH_BYTES, MAX_BATCH_ROWS, (item) => jsonBytes(item.row)),
    async send(batch) {
      const stream = batch[0]!.stream;
      try {
        await client.upload(
          options.ruleId,
          stream,
          batch.map((item) => item.row),
          { maxConcurrency: 1 },
        );
      } catch (error) {
        // The client wraps each failed call; its cause has the service's status and message.
        const cause = isAggregateLogsUploadError(error) ? error.errors[0]?.cause : error;
        const status = statusOf(cause);
        const message = `Logs Ingestion refused ${batch.length} rows of ${stream}${status ? ` (${status})` : ""}: ${(cause as Error | undefined)?.message ?? String(error)}`;
        throw Object.assign(new Error(message, { cause: error }), status ? { statusCode: status } : {});
      }
    },
  };
}
