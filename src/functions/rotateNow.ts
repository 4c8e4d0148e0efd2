/** @module HTTP `POST /api/rotate/{vault}/{name}[?kind=key]`: rotates one secret or key now. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { ensureError } from "../common/errors.js";
import { LockBusyError } from "../rotation/lock.js";
import { rotationService } from "./rotationService.js";
import type { HttpFunctionDefinition } from "./table.js";

export async function rotateNowHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { vault, name } = request.params;
  const kind = request.query.get("kind") ?? "secret";
  if (!vault || !name || (kind !== "secret" && kind !== "key")) {
    return { status: 400, jsonBody: { error: "use POST /api/rotate/{vault}/{name}, with ?kind=key for a key" } };
  }
  try {
    const result = await (await rotationService()).rotateNow(vault, name, kind);
    context.log(`rotate ${vault}/${name}: ${result.outcome}`);
    return { status: 200, jsonBody: result };
  } catch (error) {
    const message = ensureError(error).message;
    context.warn(`rotate ${vault}/${name} failed: ${message}`);
    const status = error instanceof LockBusyError ? 409 : /not one kvguard manages|does not exist/.test(message) ? 404 : 500;
    return { status, jsonBody: { error: message } };
  }
}

export const rotateNow: HttpFunctionDefinition = {
  kind: "http",
  name: "rotateNow",
  route: "rotate/{vault}/{name}",
  methods: ["POST"],
  authLevel: "function",
  handler: rotateNowHandler,
};
