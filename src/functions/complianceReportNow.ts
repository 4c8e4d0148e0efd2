/**
 * @module HTTP `POST /api/report[?vault=V&framework=F&format=html,pdf]`: the same report as the timer's,
 * made now, stored in the report container and announced; answers where it went and its totals. What ARM or a
 * vault said about a vault it could not fully assess is in the report and the log, not in the answer.
 */
import { randomUUID } from "node:crypto";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { z } from "zod";
import { ensureError } from "../common/errors.js";
import { vaultNameProblem } from "../common/keyVaultNames.js";
import { parseFormats } from "../compliance/report/formats.js";
import type { ReportRequest } from "../compliance/report/fromSettings.js";
import { frameworksSetting } from "../config/reportSettings.js";
import { failed, refused } from "./httpErrors.js";
import type { HttpFunctionDefinition } from "./table.js";

const list = (values: string[]) => values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);

function parseRequest(request: HttpRequest): ReportRequest {
  const vaults = list(request.query.getAll("vault"));
  for (const vault of vaults) {
    const rule = vaultNameProblem(vault);
    if (rule) throw new Error(`vault: invalid vault name: ${rule}`);
  }
  const frameworks = frameworksSetting.safeParse(list(request.query.getAll("framework")).join(","));
  if (!frameworks.success) throw new Error(`framework: ${z.prettifyError(frameworks.error).replace(/^✖ /, "")}`);
  const format = request.query.get("format");
  return {
    ...(vaults.length ? { vaults } : {}),
    ...(frameworks.data.length ? { frameworks: frameworks.data } : {}),
    ...(format ? { formats: parseFormats(format) } : {}),
  };
}

export async function complianceReportNowHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let wanted: ReportRequest;
  try {
    wanted = parseRequest(request);
  } catch (error) {
    return refused(400, ensureError(error).message);
  }
  try {
    // Loaded on request: the checks, renderers and ARM clients would slow every cold start.
    const { publishReportToContainer, reportSentence } = await import("../compliance/report/fromSettings.js");
    const published = await publishReportToContainer(process.env, wanted, (line) => context.warn(line));
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
        changes: document.changes && { previous: document.changes.previous, newFailures: document.changes.newFailures.length, fixed: document.changes.fixed.length },
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
