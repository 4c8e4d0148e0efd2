/** @module `GET /api/health`: whether kvguard's settings are usable; it touches no vault. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { formatProblem, loadConfig } from "../config/schema.js";
import type { HttpFunctionDefinition } from "./table.js";

/** 200 with the vaults kvguard guards, or 503 with each setting to fix (secret values never shown). */
export function healthHandler(_request: HttpRequest, context: InvocationContext): HttpResponseInit {
  const result = loadConfig();
  if (!result.ok) {
    const problems = result.problems.map(formatProblem);
    context.warn(`kvguard is misconfigured:\n${problems.join("\n")}`);
    return { status: 503, jsonBody: { status: "misconfigured", problems } };
  }
  const { vaults, local } = result.config;
  return { status: 200, jsonBody: { status: "ok", vaults: vaults.map((v) => v.name), local: local !== undefined } };
}

export const health: HttpFunctionDefinition = {
  kind: "http",
  name: "health",
  route: "health",
  methods: ["GET"],
  authLevel: "function",
  handler: healthHandler,
};
