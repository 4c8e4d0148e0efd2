/**
 * @module Reports wired from the settings, as the CLI, the functions and `npm start` make them: run the
 * checks (on the local Key Vault's clock when the vaults are local), then publish to a folder, or to the
 * report container with an alert that the report is ready.
 */
import { alertFromReport } from "../../alerts/fromReport.js";
import { notify } from "../../alerts/notify.js";
import { LocalVaultClock } from "../../azure/localClock.js";
import { credentialFor } from "../../azure/credential.js";
import { printLine } from "../../common/logText.js";
import { formatProblem, loadConfig, type KvguardConfig } from "../../config/schema.js";
import { storageClients } from "../../state/storage.js";
import { complianceDeps } from "../fromConfig.js";
import type { ComplianceRun, Framework } from "../model.js";
import { runCompliance } from "../run.js";
import type { ReportFormat } from "./formats.js";
import { publishReport, type PublishedReport } from "./publish.js";
import { BlobStore, FolderStore } from "./store.js";
import { passRate } from "./summary.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface ReportRequest {
  /** Vault names (as in KVGUARD_VAULT_URLS); default all. */
  vaults?: string[];
  /** Default: KVGUARD_REPORT_FRAMEWORKS, else all. */
  frameworks?: Framework[];
  /** Default: KVGUARD_REPORT_FORMATS. */
  formats?: ReportFormat[];
}

export function reportConfigFromEnv(env: Env): KvguardConfig {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`kvguard is misconfigured:\n${result.problems.map(formatProblem).join("\n")}`);
  return result.config;
}

/** Runs the checks the request asks for. */
export async function complianceRunFromConfig(config: KvguardConfig, env: Env, request: ReportRequest = {}): Promise<ComplianceRun> {
  let clock;
  if (config.local) {
    // Expiry and age are judged on the vault's own clock, which the local Key Vault can move ahead.
    const local = new LocalVaultClock(config.vaults[0]!.url, config.local.caPem);
    await local.sync();
    clock = local;
  }
  const deps = await complianceDeps(config, { env, ...(clock ? { clock } : {}) });
  const frameworks = request.frameworks ?? config.report.frameworks;
  return runCompliance(deps, { ...(request.vaults?.length ? { vaults: request.vaults } : {}), ...(frameworks.length ? { frameworks } : {}) });
}

/** The CLI and `npm start`: the report's files straight in `out`, snapshots in `out/snapshots/`. */
export async function writeReportToFolder(env: Env, out: string, request: ReportRequest = {}): Promise<PublishedReport> {
  const config = reportConfigFromEnv(env);
  const run = await complianceRunFromConfig(config, env, request);
  return publishReport(run, { store: new FolderStore(out), formats: request.formats ?? config.report.formats, vaultFilter: request.vaults ?? [], keep: config.report.history });
}

/** One sentence for the alert and the logs: results, pass rate, change since the last snapshot. */
export function reportSentence(published: PublishedReport): string {
  const { summary, changes, scope } = published.document;
  const t = summary.totals;
  const rate = passRate(t);
  const change = changes?.previous ? `; since ${changes.previous.slice(0, 10)}: ${changes.newFailures.length} new failures, ${changes.fixed.length} fixed` : "";
  return `${scope.vaults.length} vaults, ${t.total} results: ${t.fail} fail, ${t.error} error, ${t.pass} pass (${rate === null ? "nothing assessed" : `${rate}% pass`})${change}.`;
}

/** The functions: the report in the report container under reports/<time>/, then a report-ready alert. */
export async function publishReportToContainer(env: Env, request: ReportRequest = {}, log: (line: string) => void = printLine): Promise<PublishedReport> {
  const config = reportConfigFromEnv(env);
  const run = await complianceRunFromConfig(config, env, request);
  const container = storageClients(env, credentialFor(config.identity)).blob.getContainerClient(config.report.container);
  const published = await publishReport(run, {
    store: new BlobStore(container),
    formats: request.formats ?? config.report.formats,
    vaultFilter: request.vaults ?? [],
    dated: true,
    keep: config.report.history,
  });
  const main = published.files.find((f) => f.format === "html") ?? published.files[0];
  await notify(
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
