/**
 * @module Compliance reports as the app makes them: the checks run on the app's clock (the local Key Vault's
 * when the vaults are local), then the report is published to a folder (the CLI, `npm start`), or to the
 * report container with an alert that it is ready (the functions).
 */
import { alertFromReport } from "../alerts/fromReport.js";
import type { ComplianceRun, Framework } from "../compliance/model.js";
import type { ReportFormat } from "../config/reportFormats.js";
import { publishReport, type PublishedReport } from "../compliance/report/publish.js";
import { reportSentence } from "../compliance/report/sentence.js";
import { BlobStore, FolderStore } from "../compliance/report/store.js";
import { runCompliance } from "../compliance/run.js";
import type { App } from "./app.js";
import { complianceDeps } from "./compliance.js";

export interface ReportRequest {
  /** Vault names (as in KVGUARD_VAULT_URLS); default all. */
  vaults?: string[];
  /** Default: KVGUARD_REPORT_FRAMEWORKS, else all. */
  frameworks?: Framework[];
  /** Default: KVGUARD_REPORT_FORMATS. */
  formats?: ReportFormat[];
}

/** Runs the checks the request asks for. */
export async function complianceRun(app: App, request: ReportRequest = {}): Promise<ComplianceRun> {
  const { config } = await app.guarded();
  const deps = await complianceDeps(config, {
    credential: await app.credential(),
    ...(app.hasStorage() ? { storage: await app.storage() } : {}),
    clock: await app.clock(),
    rotators: await app.rotators(),
  });
  const frameworks = request.frameworks ?? config.report.frameworks;
  return runCompliance(deps, { ...(request.vaults?.length ? { vaults: request.vaults } : {}), ...(frameworks.length ? { frameworks } : {}) });
}

/** The report's files straight in `out`, snapshots in `out/snapshots/`. */
export async function reportToFolder(app: App, out: string, request: ReportRequest = {}): Promise<PublishedReport> {
  const { report } = await app.config();
  const run = await complianceRun(app, request);
  return publishReport(run, {
    store: new FolderStore(out),
    formats: request.formats ?? report.formats,
    vaultFilter: request.vaults ?? [],
    keep: report.history,
  });
}

/** The report in the report container under reports/<time>/, then a report-ready alert. */
export async function reportToContainer(app: App, request: ReportRequest, log: (line: string) => void): Promise<PublishedReport> {
  const { report } = await app.config();
  const run = await complianceRun(app, request);
  const container = (await app.storage()).blob.getContainerClient(report.container);
  const published = await publishReport(run, {
    store: new BlobStore(container),
    formats: request.formats ?? report.formats,
    vaultFilter: request.vaults ?? [],
    dated: true,
    keep: report.history,
  });
  const main = published.files.find((f) => f.format === "html") ?? published.files[0];
  await (
    await app.notifier()
  ).notify(
    [
      alertFromReport({
        id: published.snapshot,
        title: `Key Vault compliance report of ${run.generatedAt.slice(0, 10)}`,
        vault: request.vaults?.length ? request.vaults.join(", ") : "all vaults",
        url: main?.location ?? published.snapshot,
        at: run.generatedAt,
        summary: reportSentence(published),
      }),
    ],
    { log },
  );
  return published;
}
