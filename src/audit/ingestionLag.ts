/**
 * @module The audit ingestion lag: how far behind the scan's clock the newest record of a source was. A
 * pass-through over a source's batches that notes the newest time; a source that gave nothing reports no lag.
 */
import type { Telemetry } from "../telemetry/port.js";
import type { AuditRecord } from "./record.js";

export async function* measuredLag(
  batches: AsyncIterable<AuditRecord[]>,
  source: "archive" | "folder" | "workspace",
  nowMs: number,
  telemetry: Telemetry | undefined,
): AsyncIterable<AuditRecord[]> {
  let newest: number | undefined;
  for await (const batch of batches) {
    for (const record of batch) if (newest === undefined || record.timeMs > newest) newest = record.timeMs;
    yield batch;
  }
  // Records ahead of the clock (the local Key Vault's clock moves) count as no lag, not a negative one.
  if (newest !== undefined) telemetry?.record("kvguard.audit.ingestion_lag", Math.max(0, nowMs - newest) / 1000, { source });
}
