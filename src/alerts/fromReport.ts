/** @module The alert a finished compliance report raises: where to get it. */
import { randomUUID } from "node:crypto";
import type { Alert } from "./alert.js";

export interface ReadyReport {
  id: string;
  title: string;
  /** The vault it covers, or "all vaults". */
  vault: string;
  url: string;
  at: string;
  /** What it covers, one sentence (period, controls). */
  summary: string;
}

export function alertFromReport(report: ReadyReport): Alert {
  return {
    id: randomUUID(),
    kind: "report-ready",
    severity: "info",
    dedupKey: `report|${report.id}`,
    title: `${report.title} is ready`,
    vault: report.vault,
    at: report.at,
    explanation: report.summary,
    url: report.url,
  };
}
