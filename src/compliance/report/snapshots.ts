/**
 * @module Dated snapshots: each run's JSON report kept as `snapshots/<scope>/<time>.json`, and the earlier
 * ones read back for the change-over-time section. A scope (frameworks and vaults reported on) compares only
 * with itself, so a report narrowed to one vault is not read as every other vault's objects vanishing.
 * A snapshot that does not parse is listed in the report and left out, never fatal.
 */
import { z } from "zod";
import type { Framework } from "../model.js";
import type { ReportHistory } from "./json.js";
import { REPORT_SCHEMA_ID, REPORT_SCHEMA_VERSION, resultSchema, totalsSchema } from "./schema.js";
import type { ReportStore } from "./store.js";

/** A file-name-safe time: 2026-11-27T06:00:00.000Z → 2026-11-27T06-00-00Z. */
export function timeStamp(iso: string): string {
  return `${iso.slice(0, 19).replaceAll(":", "-")}Z`;
}

/** "all" for a report of every framework and vault; otherwise its frameworks and vaults: "pci", "cis+pci_vault-shop". */
export function scopeKey(frameworks: readonly Framework[], vaults: readonly string[] = []): string {
  const parts = [
    ...(frameworks.length ? [[...frameworks].sort().join("+")] : []),
    ...(vaults.length
      ? [
          `vault-${[...vaults]
            .map((v) => v.toLowerCase())
            .sort()
            .join("+")}`,
        ]
      : []),
  ];
  return parts.length ? parts.join("_").replace(/[^A-Za-z0-9+_.-]/g, "-") : "all";
}

export function snapshotName(scope: string, generatedAt: string): string {
  return `snapshots/${scope}/${timeStamp(generatedAt)}.json`;
}

// Only what the comparison needs; other fields may change while the version stays.
const pastSchema = z.object({
  schema: z.literal(REPORT_SCHEMA_ID),
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  generatedAt: z.iso.datetime({ offset: true }),
  summary: z.object({ totals: totalsSchema }),
  results: z.array(
    z.object(resultSchema.pick({ checkId: true, vault: true, objectType: true, objectName: true, objectId: true, outcome: true, reason: true }).shape),
  ),
});

/** The `keep` latest snapshots of a scope made before `before`. */
export async function loadHistory(store: ReportStore, scope: string, before: string, keep: number): Promise<ReportHistory> {
  const prefix = `snapshots/${scope}/`;
  const limit = `${prefix}${timeStamp(before)}.json`;
  const names = (await store.list(prefix))
    .filter((n) => n.endsWith(".json") && n < limit)
    .sort()
    .slice(-keep);
  const past: z.infer<typeof pastSchema>[] = [];
  const unreadable: NonNullable<ReportHistory["unreadable"]> = [];
  for (const name of names) {
    try {
      const parsed = pastSchema.safeParse(JSON.parse(await store.read(name)));
      if (parsed.success) past.push(parsed.data);
      else
        unreadable.push({
          name,
          problem: `not a ${REPORT_SCHEMA_ID} v${REPORT_SCHEMA_VERSION} document: ${parsed.error.issues[0]?.message ?? "invalid"} at ${parsed.error.issues[0]?.path.join(".") ?? ""}`,
        });
    } catch (error) {
      unreadable.push({ name, problem: (error as Error).message.split("\n")[0]!.slice(0, 200) });
    }
  }
  return { past: past.map((p) => ({ generatedAt: p.generatedAt, totals: p.summary.totals, results: p.results })), unreadable };
}
