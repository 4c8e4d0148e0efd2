/**
 * @module The compliance-report part of the `npm start` demo: a report of the demo vault in every format in
 * `out/reports/` (snapshots under `out/reports/snapshots/`, so each start adds a point to the trend), made
 * the way `kvguard report` makes it. Returns the paths written and the one-sentence summary.
 */
import { join } from "node:path";
import type { App } from "../../src/app/index.js";
import { reportSentence } from "../../src/compliance/report/sentence.js";

export interface DemoReportOptions {
  /** kvguard on the stack's settings (what `.kvguard/kvguard.env` holds). */
  app: App;
  /** Default: out/reports under the working directory. */
  outDir?: string;
  /** Vaults to report on; default every vault of the settings (the demo vault). */
  vaults?: string[];
}

export interface DemoReport {
  /** The HTML, CSV, JSON and PDF reports, then the snapshot. */
  paths: string[];
  summary: string;
}

export async function writeDemoReport(options: DemoReportOptions): Promise<DemoReport> {
  const published = await options.app.reportToFolder(options.outDir ?? join(process.cwd(), "out", "reports"), {
    ...(options.vaults ? { vaults: options.vaults } : {}),
    formats: ["html", "csv", "json", "pdf"],
  });
  return { paths: [...published.files.map((f) => f.location), published.snapshot], summary: reportSentence(published) };
}
