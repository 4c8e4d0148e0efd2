/**
 * @module Who reads a secret or key, from the audit log: per principal, how often, from which addresses,
 * first and last read, and the version each read was served (the record's `id` names it even when the
 * request asked for the latest). A pure fold over normalised records, and a reader over the configured
 * audit sources for a time window. Records hold no values, so nothing secret can reach the output.
 */
import type { LogsQueryClient } from "@azure/monitor-query-logs";
import type { ContainerClient } from "@azure/storage-blob";
import type { AuditConfig } from "../config/auditSettings.js";
import { isSuccess, principalKey, type AuditRecord, type Principal } from "./record.js";
import { readAuditFolder } from "./sources/folder.js";
import { readLogAnalytics } from "./sources/logAnalytics.js";
import { IngestReport, type IngestSummary } from "./sources/report.js";
import { readStorageArchive } from "./sources/storageArchive.js";

export interface ConsumerTarget {
  vault: string;
  type: "secrets" | "keys";
  name: string;
}

/** Operations that hand a consumer the credential or use it: the reads a rotation must see move. */
const READS: Record<ConsumerTarget["type"], ReadonlySet<string>> = {
  secrets: new Set(["SecretGet"]),
  keys: new Set(["KeyGet", "KeyDecrypt", "KeyUnwrap", "KeySign", "KeyVerify", "KeyEncrypt", "KeyWrap"]),
};

/** Reads whose record named no version (an old or odd record) are counted under this. */
export const UNKNOWN_VERSION = "unknown";

export interface VersionReads {
  reads: number;
  firstRead: string;
  lastRead: string;
}

export interface Consumer {
  /** oid, else app id, else UPN: the key reads are grouped by. */
  key: string;
  principal: Principal;
  reads: number;
  firstRead: string;
  lastRead: string;
  /** Caller IP → reads. */
  ips: Record<string, number>;
  /** Version served → reads; the version of the latest read is `lastVersion`. */
  versions: Record<string, VersionReads>;
  lastVersion: string;
}

interface Tally {
  principal: Principal;
  reads: number;
  firstMs: number;
  lastMs: number;
  lastVersion: string;
  ips: Map<string, number>;
  versions: Map<string, { reads: number; firstMs: number; lastMs: number }>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Folds records into consumers of one object; records of other objects, writes and failures are ignored. */
export class ConsumerFold {
  private readonly tallies = new Map<string, Tally>();
  private readonly reads: ReadonlySet<string>;

  constructor(
    private readonly target: ConsumerTarget,
    private readonly sinceMs = Number.NEGATIVE_INFINITY,
  ) {
    this.reads = READS[target.type];
  }

  add(records: Iterable<AuditRecord>): void {
    for (const r of records) {
      const o = r.object;
      if (!o || o.name !== this.target.name || o.type !== this.target.type || r.vault.name !== this.target.vault) continue;
      if (r.timeMs < this.sinceMs || !isSuccess(r) || !this.reads.has(r.operation)) continue;
      const key = principalKey(r.principal);
      let t = this.tallies.get(key);
      if (!t)
        this.tallies.set(
          key,
          (t = { principal: r.principal, reads: 0, firstMs: r.timeMs, lastMs: r.timeMs, lastVersion: UNKNOWN_VERSION, ips: new Map(), versions: new Map() }),
        );
      const version = o.version ?? UNKNOWN_VERSION;
      t.reads++;
      t.firstMs = Math.min(t.firstMs, r.timeMs);
      if (r.timeMs >= t.lastMs) {
        t.lastMs = r.timeMs;
        t.lastVersion = version;
        // A later record may carry a name the first lacked (a UPN).
        t.principal = { ...t.principal, ...r.principal };
      }
      const ip = r.ip || "unknown";
      t.ips.set(ip, (t.ips.get(ip) ?? 0) + 1);
      const v = t.versions.get(version);
      if (v) {
        v.reads++;
        v.firstMs = Math.min(v.firstMs, r.timeMs);
        v.lastMs = Math.max(v.lastMs, r.timeMs);
      } else t.versions.set(version, { reads: 1, firstMs: r.timeMs, lastMs: r.timeMs });
    }
  }

  /** The consumers, most recent reader first. */
  result(): Consumer[] {
    return [...this.tallies.entries()]
      .sort(([, a], [, b]) => b.lastMs - a.lastMs)
      .map(([key, t]) => ({
        key,
        principal: t.principal,
        reads: t.reads,
        firstRead: iso(t.firstMs),
        lastRead: iso(t.lastMs),
        ips: Object.fromEntries([...t.ips].sort((a, b) => b[1] - a[1])),
        versions: Object.fromEntries(
          [...t.versions]
            .sort((a, b) => b[1].lastMs - a[1].lastMs)
            .map(([v, x]) => [v, { reads: x.reads, firstRead: iso(x.firstMs), lastRead: iso(x.lastMs) }]),
        ),
        lastVersion: t.lastVersion,
      }));
  }
}

export interface ConsumerSources {
  config: AuditConfig;
  archive?: ContainerClient;
  folder?: string;
  logs?: LogsQueryClient;
}

export interface ConsumerReport {
  target: ConsumerTarget;
  since: string;
  until: string;
  consumers: Consumer[];
  ingest: IngestSummary;
}

/**
 * Reads every configured source over the window and folds the target's consumers. Nothing is kept: each
 * call reads the window afresh, so it never moves the scheduled scan's watermarks.
 */
export async function readConsumers(sources: ConsumerSources, target: ConsumerTarget, window: { sinceMs: number; nowMs: number }): Promise<ConsumerReport> {
  const { sinceMs, nowMs } = window;
  const report = new IngestReport();
  const fold = new ConsumerFold(target, sinceMs);
  const reads: AsyncIterable<AuditRecord[]>[] = [];
  if (sources.archive) reads.push(readStorageArchive(sources.archive, { report, sinceMs, nowMs }).records);
  if (sources.folder) reads.push(readAuditFolder(sources.folder, { report, sinceMs, nowMs }).records);
  if (sources.logs) {
    const { config } = sources;
    for (const workspaceId of config.workspaceIds) {
      reads.push(
        readLogAnalytics(sources.logs, {
          workspaceId,
          report,
          sinceMs,
          nowMs,
          sliceMs: config.querySliceMinutes * 60_000,
          ingestionDelayMs: config.ingestionDelayMinutes * 60_000,
          lateArrivalMs: config.lateArrivalHours * 3_600_000,
        }).records,
      );
    }
  }
  for (const read of reads) for await (const batch of read) fold.add(batch);
  return { target, since: iso(sinceMs), until: iso(nowMs), consumers: fold.result(), ingest: report.toJSON() };
}
