/**
 * @module kvguard's records as CloudEvents: which history steps are which rotation event, a new finding, and
 * a report snapshot's report-ready event, and the rotation sweep's expiry notices. Each event's data passes its type's schema
 * and the secret guard, or the event is refused (and counted), never sent. Event ids derive from the record,
 * so an event sent twice (a crash before the ledger noted it) carries the same id for subscribers to drop.
 */
import { createHash } from "node:crypto";
import type { SendCloudEventInput } from "@azure/eventgrid";
import { z } from "zod";
import { assertNoSecrets } from "../alerts/secretGuard.js";
import type { HistoryRow } from "../rotation/history.js";
import { dataSchemaUri, EVENT_CATALOGUE, type EventType } from "./events/catalogue.js";
import type { ExportRecord } from "./records.js";

export type ExportOutput<T> = { key: string; changedMs: number; item: T } | { key: string; changedMs: number; refused: string };

/** The CloudEvents `source` of every kvguard event: this app. */
export const EVENT_SOURCE = "/kvguard";

/** Free text from records (an error message, a log line) is cut to what the schemas take. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function eventId(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 32);
}

/** The rotation event a history row is, if any: skipped checks and intermediate steps are not events. */
export function rotationEventType(row: HistoryRow): EventType | undefined {
  if (row.outcome === "failed") return "Kvguard.Rotation.Failed";
  if (row.outcome !== "ok") return undefined;
  switch (row.step) {
    case "create":
      return "Kvguard.Rotation.Started";
    case "finish":
      // kvguard's renewal of a certificate (nativeJob.ts records its kind) is that event, not a rotation.
      return row.kind === "certificate" ? "Kvguard.Certificate.Renewed" : "Kvguard.Rotation.Succeeded";
    case "abandon":
      return "Kvguard.Rotation.Abandoned";
    case "revoke":
      return "Kvguard.Rotation.Revoked";
    default:
      return undefined;
  }
}

function rotationData(type: EventType, row: HistoryRow): Record<string, unknown> {
  if (type === "Kvguard.Certificate.Renewed") {
    return { vault: row.vault, name: row.name, version: row.version, ...(row.previousVersion ? { previousVersion: row.previousVersion } : {}), at: row.at };
  }
  const base = {
    vault: row.vault,
    name: row.name,
    rotationId: row.rotationId,
    ...(row.trigger ? { trigger: row.trigger } : {}),
    at: row.at,
    message: clip(row.message, 2000),
  };
  if (type === "Kvguard.Rotation.Succeeded")
    return { ...base, ...(row.version ? { version: row.version } : {}), ...(row.previousVersion ? { previousVersion: row.previousVersion } : {}) };
  if (type === "Kvguard.Rotation.Revoked") return { ...base, ...(row.previousVersion ? { previousVersion: row.previousVersion } : {}) };
  if (type === "Kvguard.Rotation.Failed") return { ...base, step: row.step };
  return base;
}

// Only what the report-ready event needs from a snapshot; other fields may change.
const snapshotSchema = z.object({
  generatedAt: z.string(),
  scope: z.object({ frameworks: z.array(z.string()), vaults: z.array(z.string()) }),
  summary: z.object({ totals: z.object({ pass: z.number(), fail: z.number(), "not-applicable": z.number(), error: z.number(), total: z.number() }) }),
  results: z.array(
    z.object({
      checkId: z.string(),
      vault: z.string(),
      objectId: z.string(),
      objectName: z.string(),
      objectType: z.string(),
      outcome: z.string(),
      evidence: z.record(z.string(), z.unknown()),
    }),
  ),
});

interface Draft {
  key: string;
  type: EventType;
  subject: string;
  time: string;
  data: unknown;
}

function snapshotEvents(record: Extract<ExportRecord, { source: "reports" }>): Draft[] {
  const snapshot = snapshotSchema.parse(JSON.parse(record.text));
  const { totals } = snapshot.summary;
  const assessed = totals.pass + totals.fail;
  const scope = record.name.split("/").at(-2) ?? "all";
  const drafts: Draft[] = [
    {
      key: record.key,
      type: "Kvguard.Report.Ready",
      subject: `reports/${scope}`,
      time: snapshot.generatedAt,
      data: {
        generatedAt: snapshot.generatedAt,
        scope,
        snapshot: record.name,
        totals,
        passRate: assessed ? Math.round((totals.pass / assessed) * 1000) / 10 : null,
      },
    },
  ];
  return drafts;
}

function drafts(record: ExportRecord): Draft[] {
  switch (record.source) {
    case "history": {
      const type = rotationEventType(record.row);
      if (!type) return [];
      const row = record.row;
      return [{ key: record.key, type, subject: `${row.vault}/${row.name}`, time: row.at, data: rotationData(type, row) }];
    }
    case "findings": {
      const f = record.finding;
      const data = {
        id: f.id,
        detector: f.detector,
        severity: f.severity,
        vault: f.vault,
        principal: f.principal,
        ip: f.ip,
        ...(f.object ? { object: f.object } : {}),
        start: f.start,
        end: f.end,
        count: f.count,
        summary: clip(f.summary, 4000),
        evidence: f.evidence,
      };
      return [{ key: record.key, type: "Kvguard.Finding.Raised", subject: f.object ?? f.vault, time: f.start, data }];
    }
    case "reports":
      return snapshotEvents(record);
    case "notices": {
      const n = record.notice;
      const data = {
        vault: n.vault,
        objectType: n.objectType,
        name: n.name,
        objectId: n.objectId,
        version: n.version,
        status: n.stage === "expired" ? "expired" : "expiring",
        stage: n.stage,
        expiresOn: n.expiresOn,
        daysLeft: n.daysLeft,
        why: clip(n.why, 2000),
        ...(n.csr ? { csr: n.csr.state } : {}),
        noticedAt: n.noticedAt,
      };
      const subject = n.objectType === "secret" ? `${n.vault}/${n.name}` : `${n.vault}/${n.objectType}s/${n.name}`;
      return [{ key: record.key, type: "Kvguard.Object.ExpiryNotice", subject, time: n.noticedAt, data }];
    }
  }
}

/**
 * The events of one record, each checked; a record that cannot be read as its source's shape is one refusal.
 * @param secrets - values that must never leave kvguard (setting secrets)
 */
export function eventsOf(record: ExportRecord, secrets: readonly string[]): ExportOutput<SendCloudEventInput<unknown>>[] {
  let list: Draft[];
  try {
    list = drafts(record);
  } catch (error) {
    // Say what is wrong, never quote the record (JSON.parse's message shows a piece of its input).
    const why = error instanceof z.ZodError ? `${error.issues[0]?.path.join(".") ?? ""}: ${error.issues[0]?.message ?? "invalid"}` : "not JSON";
    return [{ key: record.key, changedMs: record.changedMs, refused: `unreadable ${record.source} record: ${why}` }];
  }
  return list.map((draft) => {
    const parsed = EVENT_CATALOGUE[draft.type].schema.safeParse(draft.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { key: draft.key, changedMs: record.changedMs, refused: `${draft.type} does not fit its schema: ${issue.path.join(".")}: ${issue.message}` };
    }
    try {
      assertNoSecrets(parsed.data, secrets, `event ${draft.type} of ${draft.subject}`);
    } catch (error) {
      return { key: draft.key, changedMs: record.changedMs, refused: (error as Error).message };
    }
    const time = new Date(draft.time);
    return {
      key: draft.key,
      changedMs: record.changedMs,
      item: {
        type: draft.type,
        source: EVENT_SOURCE,
        id: eventId(`${draft.key}|${draft.type}`),
        subject: draft.subject,
        ...(Number.isNaN(time.getTime()) ? {} : { time }),
        dataschema: dataSchemaUri(draft.type),
        datacontenttype: "application/json",
        data: parsed.data,
      },
    };
  });
}
