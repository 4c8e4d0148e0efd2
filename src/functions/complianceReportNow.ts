/**
 * @module HTTP `POST /api/report[?vault=V&framework=F&format=html,pdf]`: the same report as the timer's,
 * made now, stored in the report container and announced; answers where it went and its totals. What ARM or a
 * vault said about a vault it could not fully assess is in the report and the log, not in the answer.
 */
import { randomUUID } from "node:crypto";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { currentApp, type ReportRequest } from "../app/index.js";
import { ensureError } from "../common/errors.js";
import { failed, refused } from "./httpErrors.js";
import type { HttpFunctionDefinition } from "./table.js";

export async function complianceReportNowHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let wanted: ReportRequest;
  try {
    // Loaded on request, as the report is: the settings schema would slow every cold start.
    wanted = (await import("./reportRequest.js")).parseReportRequest(request);
  } catch (error) {
    return refused(400, ensureError(error).message);
  }
  try {
    const published = await currentApp().reportToContainer(wanted, (line) => context.warn(line));
    const { reportSentence } = await import("../compliance/report/sentence.js");
    context.log(`compliance report: ${reportSentence(published)}`);
    const { document } = published;
    // Vaults not fully assessed are named; why (ARM's or the vault's words) is logged under one error id.
    const errorId = document.errors.length ? randomUUID() : undefined;
    for (const e of document.errors) context.warn(`compliance report: ${e.vault} not fully assessed (error id ${errorId}): ${e.message}`);
    return {
      status: 200,
      jsonBody: {
        generatedAt: document.generatedAt,
        summary: reportSentence(published),
        totals: document.summary.totals,
        files: published.files,
        snapshot: published.snapshot,
        changes: document.changes && {
          previous: document.changes.previous,
          newFailures: document.changes.newFailures.length,
          fixed: document.changes.fixed.length,
        },
        notFullyAssessed: document.errors.map((e) => e.vault),
        ...(errorId ? { errorId } : {}),
      },
    };
  } catch (error) {
    return failed(context, "the compliance report", error);
  }
}

export const complianceReportNow: HttpFunctionDefinition = {
  kind: "http",
  name: "complianceReportNow",
  route: "report",
  methods: ["POST"],
  authLevel: "function",
  handler: complianceReportNowHandler,
};
