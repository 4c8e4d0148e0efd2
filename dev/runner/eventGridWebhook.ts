/**
 * @module Event Grid triggers at `/runtime/webhooks/eventgrid?functionName=NAME`, answered as the host's
 * Event Grid extension answers: `aeg-event-type: SubscriptionValidation` → 200 `{"validationResponse": code}`
 * (the function is not called); `Notification` → the function once per event of the array, 202 when all
 * succeeded, 500 when one failed (so Event Grid retries; the error's text stays in the log); `Unsubscribe` →
 * 202; anything else → 400. The CloudEvents handshake (OPTIONS with WebHook-Request-Origin) is answered too.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { EventGridEvent } from "@azure/functions";
import type { EventGridFunctionDefinition } from "../../src/functions/table.js";
import { createContext, functionLine, invoke, type LineWriter } from "./invocation.js";

export const EVENT_GRID_WEBHOOK_PATH = "/runtime/webhooks/eventgrid";

export interface WebhookCall {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function answer(res: ServerResponse, status: number, body = "", headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, "Content-Length": String(Buffer.byteLength(body)) }).end(body);
}

function parseEvents(body: Buffer): unknown[] | undefined {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as unknown;
    return Array.isArray(parsed) ? (parsed as unknown[]) : parsed && typeof parsed === "object" ? [parsed] : undefined;
  } catch {
    return undefined;
  }
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

export async function serveEventGrid(
  functions: ReadonlyMap<string, EventGridFunctionDefinition>,
  call: WebhookCall,
  res: ServerResponse,
  write: LineWriter,
): Promise<void> {
  const name = call.url.searchParams.get("functionName") ?? "";
  const definition = functions.get(name.toLowerCase());
  if (!definition) return answer(res, 404, `cannot find function: '${name}'`);
  if (call.method === "OPTIONS") {
    const origin = header(call.headers, "webhook-request-origin");
    return answer(res, 200, "", { "WebHook-Allowed-Origin": origin, "WebHook-Allowed-Rate": "*", Allow: "POST" });
  }
  if (call.method !== "POST") return answer(res, 405, "", { Allow: "POST, OPTIONS" });
  const kind = header(call.headers, "aeg-event-type").toLowerCase();
  if (kind === "unsubscribe") return answer(res, 202);
  if (kind !== "subscriptionvalidation" && kind !== "notification") return answer(res, 400, "missing or unknown aeg-event-type header");
  const events = parseEvents(call.body);
  if (!events) return answer(res, 400, "the body is not an Event Grid event array");
  if (kind === "subscriptionvalidation") {
    const code = (events[0] as { data?: { validationCode?: unknown } } | undefined)?.data?.validationCode;
    if (typeof code !== "string") return answer(res, 400, "the validation event has no data.validationCode");
    write(functionLine(definition.name, "information", "answered Event Grid's subscription validation"));
    return answer(res, 200, JSON.stringify({ validationResponse: code }), { "Content-Type": "application/json" });
  }
  const outcomes = await Promise.all(
    events.map((event) => {
      const context = createContext({ functionName: definition.name, trigger: { type: "eventGridTrigger", name: "event" }, write });
      return invoke(context, () => definition.handler(event as EventGridEvent, context));
    }),
  );
  // The error's own text is in the runner's log (invoke logged it); the answer says only that Event Grid should retry.
  if (outcomes.some((outcome) => !outcome.ok)) return answer(res, 500, "the function failed; the runner's log says why");
  answer(res, 202);
}
