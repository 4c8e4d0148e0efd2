/**
 * @module HTTP `POST /api/report[?vault=V&framework=F&format=html,pdf]`: the same report as the timer's,
 * made now, stored in the report container and announced; answers where it went and its totals.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { z } from "zod";
import { ensureError } from "../common/errors.js";
import { parseFormats } from "../compliance/report/formats.js";
import type { ReportRequest } from "../compliance/report/fromSettings.js";
import { frameworksSetting } from "../config/reportSettings.js";
import type { HttpFunctionDefinition } from "./table.js";

const list = (values: string[]) => values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);

function parseRequest(request: HttpRequest): ReportRequest {
  const vaults = list(request.query.getAll("vault"));
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
    return { status: 400, jsonBody: { error: ensureError(error).message } };
  }
  try {
    // Loaded on request: the checks, renderers and ARM clients would slow every cold start.
    const { publishReportToContainer, reportSentence } = await import("../compliance/report/fromSettings.js");
    const published = await publishReportToContainer(process.env, wanted, (line) => context.warn(line));
    context.log(`compliance report: ${reportSentence(published)}`);
    const { document } = published;
    return {
      status: 200,
      jsonBody: {
        generatedAt: document.generatedAt,
        summary: reportSentence(published),
        totals: document.summary.totals,
        files: published.files,
        snapshot: published.snapshot,
        changes: document.changes && { previous: document.changes.previous, newFailures: document.changes.newFailures.length, fixed: document.changes.fixed.length },
        errors: document.errors,
      },
    };
  } catch (error) {
    const message = ensureError(error).message;
    context.error(`compliance report failed: ${message}`);
    return { status: 500, jsonBody: { error: message } };
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
