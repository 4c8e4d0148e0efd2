/**
 * @module HTTP `GET /api/status`: the status page (rotation status and failures, the next 30 days, open
 * findings, the compliance trend), self-contained HTML. Behind a function key (authLevel function), or App
 * Service Authentication when deployed with it (deploying.md): it names vaults and objects, never values.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { failed } from "./httpErrors.js";
import { currentApp } from "../app/index.js";
import type { HttpFunctionDefinition } from "./table.js";

export async function statusPageHandler(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    // Loaded on request: the page's readers and renderer would slow every cold start.
    const [{ statusPageOf }, { renderStatusPage }] = await Promise.all([import("../status/fromService.js"), import("../status/page.js")]);
    const page = await statusPageOf(currentApp());
    for (const u of page.unavailable) context.warn(`status page: not shown: ${u.source}: ${u.problem}`);
    return {
      status: 200,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        "x-content-type-options": "nosniff",
      },
      body: renderStatusPage(page),
    };
  } catch (error) {
    return failed(context, "the status page", error);
  }
}

export const statusPage: HttpFunctionDefinition = {
  kind: "http",
  name: "statusPage",
  methods: ["GET"],
  authLevel: "function",
  route: "status",
  handler: statusPageHandler,
};
