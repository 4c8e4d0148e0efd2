/**
 * @module One HTTP exchange with a webhook: no redirects followed, no connection reuse, a time limit on the
 * whole exchange, and at most a small part of the answer kept (Event Grid only reads the handshake's).
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { rootCertificates } from "node:tls";

/** Event Grid waits 30 s for a webhook's answer, to a delivery as to a validation request. */
export const WEBHOOK_TIMEOUT_MS = 30_000;
const MAX_ANSWER_BYTES = 64 * 1024;

export interface WebhookRequest {
  method: "POST" | "OPTIONS";
  headers: Record<string, string>;
  body?: string;
  /** Extra CAs trusted for https, on top of the public roots. */
  ca?: string[];
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type WebhookAnswer =
  { kind: "response"; status: number; headers: IncomingHttpHeaders; body: string } | { kind: "timeout" } | { kind: "error"; message: string };

export function callWebhook(endpoint: string, req: WebhookRequest): Promise<WebhookAnswer> {
  const url = new URL(endpoint);
  const timeoutMs = req.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const body = req.body === undefined ? undefined : Buffer.from(req.body, "utf8");
  const headers = { ...req.headers, ...(body ? { "Content-Length": String(body.length) } : {}) };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: WebhookAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", onAbort);
      resolve(answer);
    };
    const options = { method: req.method, headers, agent: false as const };
    const client =
      url.protocol === "https:"
        ? httpsRequest(url, { ...options, ca: [...rootCertificates, ...(req.ca ?? [])] }, onResponse)
        : httpRequest(url, options, onResponse);
    function onResponse(res: IncomingMessage) {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", () =>
        finish({
          kind: "response",
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString("utf8"),
        }),
      );
      res.on("error", (error) => finish({ kind: "error", message: error.message }));
    }
    const timer = setTimeout(() => {
      finish({ kind: "timeout" });
      client.destroy();
    }, timeoutMs);
    const onAbort = () => {
      finish({ kind: "error", message: "delivery stopped: the emulator is closing" });
      client.destroy();
    };
    if (req.signal?.aborted) onAbort();
    req.signal?.addEventListener("abort", onAbort, { once: true });
    client.on("error", (error) => finish({ kind: "error", message: error.message }));
    client.end(body);
  });
}
