/**
 * @module The CSV report: one row per check per object (vault checks: one per vault), with the columns
 * `CSV_COLUMNS` documents and `csvRowSchema` validates. RFC 4180: comma-separated, CRLF line ends, fields
 * with a comma, quote or line break quoted, quotes doubled. A cell that a spreadsheet would run as a formula
 * (starting with = + - @, tab or carriage return) gets a leading apostrophe, so opening the file is safe.
 */
import { z } from "zod";
import type { ControlRef } from "../model.js";
import type { ReportDocument } from "./schema.js";

export const CSV_COLUMNS = [
  { name: "generated_at", description: "when the run started (ISO-8601, UTC)" },
  { name: "vault", description: "the vault's name" },
  { name: "object_type", description: "vault, key, secret or certificate" },
  { name: "object_name", description: "the object's name (the vault's for vault checks)" },
  { name: "object_id", description: "the object's id (https://VAULT/TYPEs/NAME), or the vault's resource id" },
  { name: "check_id", description: "the check's stable id" },
  { name: "check_title", description: "what the check asks" },
  { name: "severity", description: "high, medium or low" },
  { name: "outcome", description: "pass, fail, not-applicable or error" },
  { name: "reason", description: "why this outcome, in a sentence" },
  { name: "controls", description: 'the controls the check maps to in the report\'s frameworks: framework:control (@version for CIS), separated by "; "' },
  { name: "parameters", description: "the check's parameters in this run, as JSON (Azure Policy parameter names)" },
  { name: "expires_on", description: "the object's expiry (ISO-8601), empty when none or for vaults" },
  { name: "latest_version_created", description: "when the object's newest version was made (ISO-8601), empty when unknown" },
  { name: "evidence", description: "the facts the check used, as JSON (properties only, never a value)" },
  { name: "remediation", description: "what to do when the check fails" },
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number]["name"];

const isoOrEmpty = z.union([z.literal(""), z.iso.datetime({ offset: true })]);
const json = z.string().refine((text) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}, "is not JSON");

/** One data row, keyed by column name, as read back from the file (the formula guard's apostrophe removed). */
export const csvRowSchema = z.strictObject({
  generated_at: z.iso.datetime({ offset: true }),
  vault: z.string().min(1),
  object_type: z.enum(["vault", "key", "secret", "certificate"]),
  object_name: z.string(),
  object_id: z.string().min(1),
  check_id: z.string().min(1),
  check_title: z.string(),
  severity: z.enum(["high", "medium", "low", ""]),
  outcome: z.enum(["pass", "fail", "not-applicable", "error"]),
  reason: z.string(),
  controls: z.string().regex(/^$|^[a-z0-9-]+:[^;]+(; [a-z0-9-]+:[^;]+)*$/),
  parameters: json,
  expires_on: isoOrEmpty,
  latest_version_created: isoOrEmpty,
  evidence: json,
  remediation: z.string(),
} satisfies Record<CsvColumn, z.ZodType>);

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell, guarded against formula injection and quoted when needed. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function controlText(ref: ControlRef): string {
  return `${ref.framework}:${ref.control}${ref.version ? `@${ref.version}` : ""}`;
}

export function renderCsv(document: ReportDocument): string {
  const checks = new Map(document.checks.map((c) => [c.id, c]));
  const items = new Map(document.inventory.map((i) => [i.id, i]));
  const frameworks = new Set(document.scope.frameworks);
  const lines = [CSV_COLUMNS.map((c) => c.name).join(",")];
  for (const r of document.results) {
    const check = checks.get(r.checkId);
    const item = items.get(r.objectId);
    const row: Record<CsvColumn, string> = {
      generated_at: document.generatedAt,
      vault: r.vault,
      object_type: r.objectType,
      object_name: r.objectName,
      object_id: r.objectId,
      check_id: r.checkId,
      check_title: check?.title ?? "",
      severity: check?.severity ?? "",
      outcome: r.outcome,
      reason: r.reason,
      controls: (check?.controls ?? [])
        .filter((c) => frameworks.has(c.framework))
        .map(controlText)
        .join("; "),
      parameters: JSON.stringify(check?.parameters ?? {}),
      expires_on: item?.expiresOn ?? "",
      latest_version_created: item?.latestVersionCreated ?? "",
      evidence: JSON.stringify(r.evidence),
      remediation: check?.remediation ?? "",
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(row[c.name])).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
