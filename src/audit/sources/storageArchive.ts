/**
 * @module Audit records from a storage archive: container `insights-logs-auditevent`, blobs
 * `resourceId=/SUBSCRIPTIONS/…/VAULTS/NAME/y=/m=/d=/h=/m=00/PT1H.json`. Incremental (`hourly.ts`): the
 * watermark keeps each blob's byte offset and line, so a run reads only what was appended since (Azure
 * appends to the current hour's blob through the hour), and stops at the last complete line. Blobs older
 * than the horizon are neither listed, read nor remembered.
 */
import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import type { AuditRecord } from "../record.js";
import { blobHourMs, firstHorizon, hourlyMark, readHourly, type HourlyObject, type HourlyStore } from "./hourly.js";
import type { IngestReport } from "./report.js";

export const ARCHIVE_CONTAINER = "insights-logs-auditevent";

export const archiveWatermark = z.object({
  /** Blobs whose hour starts before this (ms) are done. */
  horizonMs: z.number(),
  blobs: z.record(z.string(), hourlyMark),
});

export type ArchiveWatermark = z.infer<typeof archiveWatermark>;

const VAULT_FOLDER = /\/(VAULTS|MANAGEDHSMS)\/[^/]+\/$/i;
/** resourceId=/SUBSCRIPTIONS/s/RESOURCEGROUPS/g/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/v/: 9 levels at most. */
const MAX_DEPTH = 10;

/**
 * The listing prefixes `…/VAULTS/NAME/y=YYYY/m=MM/` of every vault for the months from the horizon to now:
 * an archive keeps years of hourly blobs, and listing them all every scan would cost more than reading.
 */
async function monthPrefixes(container: ContainerClient, fromMs: number, toMs: number): Promise<string[]> {
  const vaults: string[] = [];
  const walk = async (prefix: string, depth: number): Promise<void> => {
    for await (const item of container.listBlobsByHierarchy("/", { prefix })) {
      if (item.kind !== "prefix") continue;
      if (VAULT_FOLDER.test(item.name)) vaults.push(item.name);
      else if (depth < MAX_DEPTH) await walk(item.name, depth + 1);
    }
  };
  await walk("resourceId=/", 0);
  const months: string[] = [];
  for (let d = new Date(fromMs); d.getTime() <= toMs; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) {
    months.push(`y=${d.getUTCFullYear()}/m=${String(d.getUTCMonth() + 1).padStart(2, "0")}/`);
  }
  return vaults.flatMap((vault) => months.map((month) => vault + month));
}

export interface ArchiveReadOptions {
  report: IngestReport;
  /** Where the last run stopped; a first run starts at `sinceMs`. */
  watermark?: ArchiveWatermark;
  sinceMs: number;
  nowMs: number;
  /** Blobs stay watched this long after their hour (Azure may still append), default 3 h. */
  settleMs?: number;
}

function archiveStore(container: ContainerClient, nowMs: number): HourlyStore {
  return {
    async list(horizonMs) {
      const blobs: HourlyObject[] = [];
      for (const prefix of await monthPrefixes(container, horizonMs, nowMs)) {
        for await (const blob of container.listBlobsFlat({ prefix })) {
          const hour = blobHourMs(blob.name);
          if (hour !== undefined) blobs.push({ name: blob.name, source: blob.name, bytes: blob.properties.contentLength ?? 0, hour });
        }
      }
      return blobs;
    },
    async open(blob, offset) {
      const response = await container.getBlobClient(blob.name).download(offset, blob.bytes - offset);
      const body = response.readableStreamBody;
      return body ? { body: body as AsyncIterable<Buffer> } : undefined;
    },
  };
}

/**
 * Reads new records from the archive container. `result.watermark` is final once the iteration ends.
 * @param container - the `insights-logs-auditevent` container
 * @param options - watermark, start, clock, report
 */
export function readStorageArchive(
  container: ContainerClient,
  options: ArchiveReadOptions,
): { records: AsyncIterable<AuditRecord[]>; watermark: ArchiveWatermark } {
  const previous = options.watermark ?? { horizonMs: firstHorizon(options.sinceMs), blobs: {} };
  const watermark: ArchiveWatermark = { horizonMs: previous.horizonMs, blobs: { ...previous.blobs } };
  return { records: readHourly(archiveStore(container, options.nowMs), watermark, watermark.blobs, options), watermark };
}
