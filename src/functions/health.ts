/**
 * @module `GET /api/health`: whether kvguard's settings are usable; it touches no vault. The answer says how
 * many vaults kvguard guards and which settings to fix, never the vaults' names or a setting's value: those
 * are in the log line with the answer's error id.
 */
import { randomUUID } from "node:crypto";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { currentApp } from "../app/index.js";
import type { HttpFunctionDefinition } from "./table.js";

/** 200 with the number of vaults, or 503 with the names of the settings to fix and an error id. */
export async function healthHandler(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const result = await currentApp().settings();
  if (!result.ok) {
    const errorId = randomUUID();
    const { formatProblem } = await import("../config/schema.js");
    // formatProblem never shows a secret value; each problem is one log line with the id.
    for (const problem of result.problems) context.warn(`kvguard is misconfigured (error id ${errorId}): ${formatProblem(problem)}`);
    const settings = [...new Set(result.problems.map((p) => p.setting))];
    return { status: 503, jsonBody: { status: "misconfigured", settings, errorId } };
  }
  const { vaults, local, discovery } = result.config;
  // Listed vaults only: those found by tag are known after an ARM call, which health does not make.
  return { status: 200, jsonBody: { status: "ok", vaults: vaults.length, discovery: discovery !== undefined, local: local !== undefined } };
}

export const health: HttpFunctionDefinition = {
  kind: "http",
  name: "health",
  route: "health",
  methods: ["GET"],
  authLevel: "function",
  handler: healthHandler,
};
