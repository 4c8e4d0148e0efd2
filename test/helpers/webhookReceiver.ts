/**
 * A local webhook for event delivery tests: it records every request, answers Event Grid's and CloudEvents'
 * validation handshakes the way it is told, and answers notifications with a chosen status per request.
 * Also a tiny client for the emulator's admin API.
 */
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import type { LocalKeyVault } from "../../emulator/index.js";
import { explained } from "./wait.js";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** Real time of arrival. */
  atMs: number;
  /** The status the receiver answered with (undefined while held). */
  answered?: number;
}

/**
 * How the handshake is answered: "echo" as a well-behaved endpoint ({"validationResponse": code}, or
 * WebHook-Allowed-Origin), "echo-pascal" with the key spelt `ValidationResponse`, "manual" with 200 `{}`
 * then a GET of validationUrl, "ignore" with 200 and nothing useful, "wrong-code", or a bare status.
 */
export type ValidationMode = "echo" | "echo-pascal" | "manual" | "ignore" | "wrong-code" | { status: number };

/** A notification's answer: a status, or "hang" to never answer. */
export type NotificationAnswer = number | "hang";

export interface WebhookReceiverOptions {
  /** Serve https with this certificate (e.g. the emulator's own, signed by its CA). */
  tls?: { cert: string; key: string };
  validation?: ValidationMode;
  /** CA trusted for the manual GET of validationUrl. */
  ca?: string;
  /** Answer to the n-th notification (0-based); default 200. */
  respond?: (n: number, req: ReceivedRequest) => NotificationAnswer;
}

function isValidation(req: ReceivedRequest): boolean {
  return req.method === "OPTIONS" || req.headers["aeg-event-type"] === "SubscriptionValidation";
}

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** The status of a "manual" receiver's GET of validationUrl (-1 when it failed), once it has completed. */
  readonly manualValidation: Promise<number>;
  #manualValidated!: (status: number) => void;
  #server!: Server;
  #listeners = new Set<() => void>();
  #notificationCount = 0;
  url = "";

  private constructor(readonly options: WebhookReceiverOptions) {
    this.manualValidation = new Promise((resolve) => (this.#manualValidated = resolve));
  }

  static async start(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(options);
    const handler = (req: IncomingMessage, res: ServerResponse) => receiver.#handle(req, res);
    receiver.#server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);
    await new Promise<void>((resolve) => receiver.#server.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.#server.address() as AddressInfo;
    receiver.url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}/api/events`;
    return receiver;
  }

  get validations(): ReceivedRequest[] {
    return this.requests.filter(isValidation);
  }

  get notifications(): ReceivedRequest[] {
    return this.requests.filter((r) => r.method === "POST" && r.headers["aeg-event-type"] === "Notification");
  }

  /** Events of the notifications answered 2xx: Event Grid arrays flattened, CloudEvents as sent. */
  delivered(): Record<string, unknown>[] {
    return this.notifications
      .filter((r) => r.answered !== undefined && r.answered >= 200 && r.answered < 300)
      .flatMap((r) => (Array.isArray(r.json) ? r.json : [r.json]) as Record<string, unknown>[]);
  }

  /** Event types delivered, in order of arrival. */
  deliveredTypes(): string[] {
    return this.delivered().map((e) => String(e.eventType ?? e.type));
  }

  /**
   * Waits until `predicate` holds, re-checked at each request, with no deadline of its own (helpers/wait.ts):
   * if the test times out on it, the failure names `what` and the requests received.
   */
  waitFor(predicate: (r: WebhookReceiver) => boolean, what = "the expected requests"): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    const waiting = new Promise<void>((resolve) => {
      const check = () => {
        if (!predicate(this)) return;
        this.#listeners.delete(check);
        resolve();
      };
      this.#listeners.add(check);
    });
    return explained(waiting, what, () =>
      this.requests.map((r) => `${r.method} ${r.path} ${String(r.headers["aeg-event-type"] ?? "")} answered ${r.answered ?? "-"}`).join("\n"),
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = body ? (JSON.parse(body) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      const received: ReceivedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, json, atMs: Date.now() };
      this.requests.push(received);
      const answer = isValidation(received) ? this.#validate(received, res) : this.#notify(received, res);
      if (answer !== "hang") received.answered = answer;
      for (const listener of [...this.#listeners]) listener();
    });
  }

  #validate(req: ReceivedRequest, res: ServerResponse): number {
    const mode = this.options.validation ?? "echo";
    if (typeof mode === "object") return send(res, mode.status);
    if (req.method === "OPTIONS") {
      const origin = String(req.headers["webhook-request-origin"] ?? "");
      if (mode === "ignore" || mode === "wrong-code") return send(res, 200);
      return send(res, 200, undefined, { "WebHook-Allowed-Origin": origin, "WebHook-Allowed-Rate": "120", Allow: "POST" });
    }
    const data = (req.json as { data?: { validationCode?: string; validationUrl?: string } }[] | undefined)?.[0]?.data ?? {};
    switch (mode) {
      case "echo":
        return send(res, 200, { validationResponse: data.validationCode });
      case "echo-pascal":
        return send(res, 200, { ValidationResponse: data.validationCode });
      case "wrong-code":
        return send(res, 200, { validationResponse: "00000000-0000-0000-0000-000000000000" });
      case "ignore":
        return send(res, 200, {});
      case "manual": {
        // Answer first, then validate asynchronously, as a third-party endpoint would.
        setTimeout(() => this.#getValidationUrl(String(data.validationUrl)), 50);
        return send(res, 200, {});
      }
    }
  }

  #getValidationUrl(url: string): void {
    const req = httpsRequest(url, { method: "GET", ca: this.options.ca }, (res) => {
      res.resume();
      res.on("end", () => this.#manualValidated(res.statusCode ?? 0));
    });
    req.on("error", () => this.#manualValidated(-1));
    req.end();
  }

  #notify(req: ReceivedRequest, res: ServerResponse): NotificationAnswer {
    const answer = this.options.respond?.(this.#notificationCount++, req) ?? 200;
    if (answer === "hang") return "hang";
    return send(res, answer);
  }
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): number {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { ...headers, ...(text ? { "Content-Type": "application/json" } : {}), "Content-Length": Buffer.byteLength(text) });
  res.end(text);
  return status;
}

export interface AdminResponse<T> {
  status: number;
  /** The parsed JSON answer, typed as the caller expects it (not checked). */
  body: T;
}

/** Calls the emulator's admin API (`/management/...`) over HTTPS, trusting its CA. */
export function admin<T = unknown>(kv: LocalKeyVault, method: string, path: string, body?: unknown): Promise<AdminResponse<T>> {
  const base = Object.values(kv.urls)[0]!;
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${base}${path}`,
      { method, ca: kv.tls.caPem, headers: text ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, body: (raw ? JSON.parse(raw) : undefined) as T });
        });
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}
