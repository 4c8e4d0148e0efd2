/**
 * @module The PDF report, drawn with pdfkit (pure JavaScript: Azure Functions has no browser): the summary,
 * change over time, one table of controls per framework, the failures with their reasons and remediation,
 * and the vaults' settings, with "page N of M" on every page. The same document gives the same bytes (the
 * creation date is the run's), so the page count is fixed for a given run. The standard Helvetica font
 * covers Windows-1252 only; other characters print as close ASCII or "?".
 */
import { UNUSED_COLUMNS, unusedRows } from "./unused.js";
import PDFDocument from "pdfkit";
import type { CheckResult } from "../model.js";
import { CERTIFICATE_COLUMNS, certificateRows } from "./certificates.js";
import type { ReportDocument } from "./schema.js";
import { FRAMEWORK_LABELS, OUTCOMES, passRate, type Totals } from "./summary.js";

export interface PdfOptions {
  /** Failures listed per check; the rest are counted (the CSV and JSON hold them all). */
  maxFailuresPerCheck?: number;
}

export interface RenderedPdf {
  bytes: Buffer;
  pages: number;
}

const MARGIN = 40;
const FOOTER = 24;
const ASCII: Record<string, string> = {
  "–": "-",
  "—": "-",
  "‘": "'",
  "’": "'",
  "“": '"',
  "”": '"',
  "…": "...",
  "≤": "<=",
  "≥": ">=",
  "→": "->",
  "•": "-",
  "×": "x",
  "÷": "/",
};

/** Text the standard fonts can draw: no control characters, nothing outside Latin-1. */
export function pdfText(value: string): string {
  return value.replace(/[\r\n\t]+/g, " ").replace(/[^\x20-\x7e\xa0-\xff]/g, (c) => ASCII[c] ?? "?");
}

interface Column {
  title: string;
  /** Share of the page width. */
  width: number;
  align?: "left" | "right";
}

class Layout {
  readonly doc: PDFKit.PDFDocument;
  private readonly width: number;

  constructor(doc: PDFKit.PDFDocument) {
    this.doc = doc;
    this.width = doc.page.width - 2 * MARGIN;
  }

  private get bottom(): number {
    return this.doc.page.height - MARGIN - FOOTER;
  }

  /** Room for `height` more points on this page, or a new page. */
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  heading(text: string, size = 16): void {
    this.ensure(size * 3);
    this.doc.moveDown(0.6).font("Helvetica-Bold").fontSize(size).fillColor("#000").text(pdfText(text), MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  paragraph(text: string, size = 9): void {
    this.doc.font("Helvetica").fontSize(size);
    const h = this.doc.heightOfString(pdfText(text), { width: this.width });
    this.ensure(h);
    this.doc.fillColor("#222").text(pdfText(text), MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  table(columns: readonly Column[], rows: readonly string[][], size = 8): void {
    const widths = columns.map((c) => c.width * this.width);
    const pad = 3;
    const rowHeight = (cells: readonly string[], font: string) => {
      this.doc.font(font).fontSize(size);
      return Math.max(...cells.map((cell, i) => this.doc.heightOfString(pdfText(cell) || " ", { width: widths[i]! - 2 * pad }))) + 2 * pad;
    };
    const draw = (cells: readonly string[], font: string, fill?: string) => {
      const h = rowHeight(cells, font);
      const y = this.doc.y;
      let x = MARGIN;
      if (fill) this.doc.rect(MARGIN, y, this.width, h).fill(fill);
      this.doc.font(font).fontSize(size).fillColor("#111");
      cells.forEach((cell, i) => {
        this.doc.text(pdfText(cell), x + pad, y + pad, { width: widths[i]! - 2 * pad, align: columns[i]!.align ?? "left" });
        x += widths[i]!;
      });
      this.doc
        .moveTo(MARGIN, y + h)
        .lineTo(MARGIN + this.width, y + h)
        .lineWidth(0.4)
        .strokeColor("#bbb")
        .stroke();
      this.doc.x = MARGIN;
      this.doc.y = y + h;
    };
    const head = columns.map((c) => c.title);
    const headHeight = rowHeight(head, "Helvetica-Bold");
    this.ensure(headHeight + (rows[0] ? rowHeight(rows[0], "Helvetica") : 0));
    draw(head, "Helvetica-Bold", "#e8e8e8");
    for (const row of rows) {
      if (this.doc.y + rowHeight(row, "Helvetica") > this.bottom) {
        this.doc.addPage();
        draw(head, "Helvetica-Bold", "#e8e8e8");
      }
      draw(row, "Helvetica");
    }
    this.doc.moveDown(0.6);
  }
}

const counts = (t: Totals) => [...OUTCOMES.map((o) => String(t[o])), String(t.total), rate(t)];
const rate = (t: Totals) => {
  const r = passRate(t);
  return r === null ? "-" : `${r}%`;
};
const countColumns: Column[] = [
  { title: "pass", width: 0.07, align: "right" },
  { title: "fail", width: 0.07, align: "right" },
  { title: "n/a", width: 0.07, align: "right" },
  { title: "error", width: 0.07, align: "right" },
  { title: "total", width: 0.08, align: "right" },
  { title: "pass rate", width: 0.09, align: "right" },
];
/** Long reasons are cut so a row always fits on a page. */
const cut = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

function summaryPages(layout: Layout, doc: ReportDocument): void {
  const t = doc.summary.totals;
  layout.doc.font("Helvetica-Bold").fontSize(20).text("Key Vault compliance report", MARGIN, MARGIN);
  layout.paragraph(`Generated ${doc.generatedAt} by ${doc.generator}.`, 10);
  layout.paragraph(`Vaults: ${doc.scope.vaults.join(", ") || "none"}.`, 10);
  layout.paragraph(`Frameworks: ${doc.scope.frameworks.map((f) => FRAMEWORK_LABELS[f]).join(", ") || "none"}.`, 10);
  layout.paragraph(
    `Results: ${t.total} (${t.pass} pass, ${t.fail} fail, ${t["not-applicable"]} not applicable, ${t.error} error); pass rate ${rate(t)} of assessed results; ${doc.inventory.length} objects.`,
    10,
  );
  for (const e of doc.errors) layout.paragraph(`Not fully assessed: ${e.vault}: ${e.message}`);
  layout.heading("Summary by framework", 13);
  layout.table(
    [{ title: "Framework", width: 0.35 }, ...countColumns, { title: "controls failing", width: 0.13, align: "right" }],
    doc.summary.byFramework.map((f) => [f.label, ...counts(f.totals), `${f.controls.filter((c) => c.status === "fail").length} of ${f.controls.length}`]),
  );
  layout.heading("Summary by vault", 13);
  layout.table(
    [{ title: "Vault", width: 0.35 }, ...countColumns, { title: "objects", width: 0.13, align: "right" }],
    doc.summary.byVault.map((v) => [v.vault, ...counts(v.totals), String(v.objects)]),
  );
  const c = doc.changes;
  if (c) {
    layout.heading("Change over time", 13);
    layout.paragraph(
      c.previous
        ? `Compared with the snapshot of ${c.previous}: ${c.newFailures.length} new failures, ${c.fixed.length} fixed, ${c.stillFailing} still failing, ${c.gone} no longer in scope.`
        : "This is the first snapshot: later reports compare with it.",
    );
    layout.table(
      [{ title: "Snapshot", width: 0.35 }, ...countColumns, { title: "", width: 0.13 }],
      c.trend.map((p) => [p.generatedAt, ...counts(p.totals), ""]),
    );
    const refs = [...c.newFailures.map((r) => ["new failure", r] as const), ...c.fixed.map((r) => ["fixed", r] as const)];
    if (refs.length) {
      layout.table(
        [
          { title: "Change", width: 0.12 },
          { title: "Vault", width: 0.15 },
          { title: "Object", width: 0.2 },
          { title: "Check", width: 0.2 },
          { title: "Reason", width: 0.33 },
        ],
        refs.map(([kind, r]) => [kind, r.vault, `${r.objectType} ${r.objectName}`, r.checkId, cut(r.reason)]),
      );
    }
  }
}

function frameworkPages(layout: Layout, doc: ReportDocument): void {
  for (const f of doc.summary.byFramework) {
    layout.doc.addPage();
    layout.heading(f.label);
    layout.paragraph(
      `${f.totals.total} results: ${f.totals.pass} pass, ${f.totals.fail} fail, ${f.totals["not-applicable"]} not applicable, ${f.totals.error} error.`,
    );
    layout.table(
      [
        { title: "Control", width: 0.13 },
        { title: "Title", width: 0.3 },
        { title: "Checks", width: 0.22 },
        { title: "pass", width: 0.06, align: "right" },
        { title: "fail", width: 0.06, align: "right" },
        { title: "n/a", width: 0.06, align: "right" },
        { title: "error", width: 0.07, align: "right" },
        { title: "status", width: 0.1 },
      ],
      f.controls.map((c) => [
        `${c.version ? `v${c.version} ` : ""}${f.framework === "azure-policy" ? c.control.slice(0, 8) : c.control}`,
        c.title ?? "",
        c.checks.join(", "),
        String(c.totals.pass),
        String(c.totals.fail),
        String(c.totals["not-applicable"]),
        String(c.totals.error),
        c.status,
      ]),
    );
  }
}

function failurePages(layout: Layout, doc: ReportDocument, max: number): void {
  layout.doc.addPage();
  const failing = doc.results.filter((r) => r.outcome === "fail" || r.outcome === "error");
  layout.heading(`Failures and errors (${failing.length})`);
  const byCheck = new Map<string, CheckResult[]>();
  for (const r of failing) {
    const list = byCheck.get(r.checkId);
    if (list) list.push(r);
    else byCheck.set(r.checkId, [r]);
  }
  const checks = new Map(doc.checks.map((c) => [c.id, c]));
  for (const [id, results] of byCheck) {
    const check = checks.get(id);
    layout.heading(`${check?.title ?? id} (${id}, ${check?.severity ?? "?"}): ${results.length}`, 11);
    if (check) layout.paragraph(`Fix: ${check.remediation}`);
    layout.table(
      [
        { title: "Vault", width: 0.16 },
        { title: "Object", width: 0.24 },
        { title: "Outcome", width: 0.1 },
        { title: "Reason", width: 0.5 },
      ],
      results.slice(0, max).map((r) => [r.vault, `${r.objectType} ${r.objectName}`, r.outcome, cut(r.reason)]),
    );
    if (results.length > max) layout.paragraph(`... and ${results.length - max} more: the CSV and JSON reports list every one.`);
  }
}

function vaultPages(layout: Layout, doc: ReportDocument): void {
  layout.doc.addPage();
  layout.heading("Vaults");
  const yes = (b: boolean | undefined) => (b === undefined ? "unknown" : b ? "yes" : "no");
  layout.table(
    [
      { title: "Vault", width: 0.16 },
      { title: "Soft delete", width: 0.1 },
      { title: "Purge prot.", width: 0.09 },
      { title: "RBAC", width: 0.08 },
      { title: "Public network", width: 0.13 },
      { title: "Private endpoints", width: 0.1 },
      { title: "AuditEvent diagnostics", width: 0.14 },
      { title: "Data-plane access", width: 0.2 },
    ],
    doc.vaults.map((v) =>
      v.error
        ? [v.name, `error: ${v.error}`, "", "", "", "", "", ""]
        : [
            v.name,
            `${yes(v.softDeleteEnabled)}${v.softDeleteRetentionDays ? ` (${v.softDeleteRetentionDays} d)` : ""}`,
            yes(v.purgeProtectionEnabled),
            yes(v.rbacAuthorization),
            `${v.publicNetworkAccess ?? "unknown"} / ${v.firewallDefaultAction ?? "?"}`,
            String(v.privateEndpoints ?? "unknown"),
            v.auditDiagnostics ? v.auditDiagnostics.map((d) => d.name).join(", ") || "none" : "unknown",
            v.access ? v.access.map((a) => `${a.principalId.slice(0, 8)}: ${a.role}`).join("; ") || "nobody" : "unknown",
          ],
    ),
  );
}

function certificatePages(layout: Layout, doc: ReportDocument): void {
  const rows = certificateRows(doc.inventory, doc.generatedAt);
  layout.heading(`Certificates (${rows.length})`);
  if (!rows.length) return layout.paragraph("No certificates.");
  const widths = [0.1, 0.11, 0.16, 0.14, 0.07, 0.12, 0.16, 0.14];
  layout.table(
    CERTIFICATE_COLUMNS.map((title, i) => ({ title, width: widths[i]! })),
    rows.map((cells) => cells.map((cell) => cut(cell, 200))),
  );
}

function unusedPages(layout: Layout, doc: ReportDocument): void {
  if (!doc.unused) return;
  layout.heading(`Unused objects (${doc.unused.days} days)`);
  if (doc.unused.note) layout.paragraph(doc.unused.note);
  for (const v of doc.unused.vaults) layout.paragraph(`${v.vault}: ${v.text}`);
  const rows = unusedRows(doc.unused);
  if (!rows.length) return;
  const widths = [0.18, 0.12, 0.4, 0.18, 0.12];
  layout.table(
    UNUSED_COLUMNS.map((title, i) => ({ title, width: widths[i]! })),
    rows.map((cells) => cells.map((cell) => cut(cell, 200))),
  );
}

function footers(layout: Layout, doc: ReportDocument): number {
  const range = layout.doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    layout.doc.switchToPage(i);
    const page = layout.doc.page;
    // Writing below the bottom margin would start a new page: lift it while the footer is drawn.
    const bottom = page.margins.bottom;
    page.margins.bottom = 0;
    layout.doc
      .font("Helvetica")
      .fontSize(8)
      .fillColor("#555")
      .text(`kvguard compliance report, ${doc.generatedAt.slice(0, 10)}    page ${i + 1} of ${range.count}`, MARGIN, page.height - MARGIN, {
        width: page.width - 2 * MARGIN,
        align: "right",
        lineBreak: false,
      });
    page.margins.bottom = bottom;
  }
  return range.count;
}

export async function renderPdf(doc: ReportDocument, options: PdfOptions = {}): Promise<RenderedPdf> {
  const pdf = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: `Key Vault compliance report ${doc.generatedAt.slice(0, 10)}`,
      Author: "kvguard",
      Creator: "kvguard",
      Producer: "kvguard (pdfkit)",
      CreationDate: new Date(doc.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  pdf.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    pdf.on("end", resolve);
    pdf.on("error", reject);
  });
  const layout = new Layout(pdf);
  summaryPages(layout, doc);
  frameworkPages(layout, doc);
  failurePages(layout, doc, options.maxFailuresPerCheck ?? 200);
  vaultPages(layout, doc);
  certificatePages(layout, doc);
  unusedPages(layout, doc);
  const pages = footers(layout, doc);
  pdf.end();
  await ended;
  return { bytes: Buffer.concat(chunks), pages };
}
