/** @module The report formats and how a list of them is written ("html,csv"): a setting's values, which the reports render. */

export const REPORT_FORMATS = ["html", "csv", "json", "pdf"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  html: "text/html; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
  pdf: "application/pdf",
};

/** Formats from "html,csv": each checked; a clear error names the bad one. */
export function parseFormats(text: string): ReportFormat[] {
  const formats = text
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (bad.length > 0 || formats.length === 0) {
    throw new Error(
      `"${text}" is not a list of report formats${bad.length ? ` (${bad.join(", ")} unknown)` : ""}. Use one or more of ${REPORT_FORMATS.join(", ")}, comma-separated`,
    );
  }
  return [...new Set(formats)] as ReportFormat[];
}
