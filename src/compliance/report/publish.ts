/**
 * @module Renders a run in the formats asked for, keeps its snapshot, and writes everything to a store:
 * the one path the CLI, the functions and `npm start` share. The change-over-time section compares with
 * the scope's earlier snapshots in the same store.
 */
import type { ComplianceRun } from "../model.js";
import { renderCsv } from "./csv.js";
import { CONTENT_TYPES, type ReportFormat } from "../../config/reportFormats.js";
import { renderHtml } from "./html.js";
import { renderJson, reportDocument } from "./json.js";
import type { ReportDocument } from "./schema.js";
import { loadHistory, scopeKey, snapshotName, timeStamp } from "./snapshots.js";
import type { ReportStore } from "./store.js";

export interface PublishOptions {
  store: ReportStore;
  formats: readonly ReportFormat[];
  /** Vaults the report was limited to (empty: all); part of the snapshot scope. */
  vaultFilter?: readonly string[];
  /** Put each report under `reports/<time>/` (blob containers) instead of at the top (a folder). */
  dated?: boolean;
  /** Earlier snapshots shown in the trend (default 12). */
  keep?: number;
}

export interface PublishedFile {
  format: ReportFormat;
  location: string;
  bytes: number;
}

export interface PublishedReport {
  document: ReportDocument;
  files: PublishedFile[];
  snapshot: string;
  pdfPages?: number;
}

export async function publishReport(run: ComplianceRun, options: PublishOptions): Promise<PublishedReport> {
  const scope = scopeKey(run.frameworks, options.vaultFilter);
  const history = await loadHistory(options.store, scope, run.generatedAt, options.keep ?? 12);
  const document = reportDocument(run, history);
  const json = renderJson(document);
  const stamp = timeStamp(run.generatedAt);
  const base = `${options.dated ? `reports/${stamp}/` : ""}kvguard-compliance-${scope === "all" ? "" : `${scope}-`}${stamp}`;
  const files: PublishedFile[] = [];
  let pdfPages: number | undefined;
  for (const format of options.formats) {
    let body: string | Buffer;
    if (format === "pdf") {
      // pdfkit loads only when a PDF is asked for: the functions start without it.
      const { renderPdf } = await import("./pdf.js");
      const pdf = await renderPdf(document);
      body = pdf.bytes;
      pdfPages = pdf.pages;
    } else body = format === "json" ? json : format === "csv" ? renderCsv(document) : renderHtml(document);
    const location = await options.store.write(`${base}.${format}`, body, CONTENT_TYPES[format]);
    files.push({ format, location, bytes: Buffer.byteLength(body) });
  }
  // Last, so a failed write above leaves no snapshot claiming a report that was never stored.
  const snapshot = await options.store.write(snapshotName(scope, run.generatedAt), json, CONTENT_TYPES.json);
  return { document, files, snapshot, ...(pdfPages === undefined ? {} : { pdfPages }) };
}
