/** @module The query of `POST /api/report` (`vault`, `framework`, `format`, each repeatable or comma-separated), checked. */
import type { HttpRequest } from "@azure/functions";
import { z } from "zod";
import type { ReportRequest } from "../app/index.js";
import { vaultNameProblem } from "../common/keyVaultNames.js";
import { parseFormats } from "../config/reportFormats.js";
import { frameworksSetting } from "../config/reportSettings.js";

const list = (values: string[]) =>
  values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);

/** The request, or an error naming the bad parameter. */
export function parseReportRequest(request: HttpRequest): ReportRequest {
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
