/**
 * @module The local cloud: one HTTPS server on loopback that stands in for Azure Resource Manager, Microsoft
 * Graph, the Entra ID token endpoint and the data planes of Event Grid topics and the Logs Ingestion API, so
 * the SDKs (`@azure/arm-*`, the Graph client, `ClientSecretCredential`, `EventGridPublisherClient`,
 * `LogsIngestionClient`) run unchanged against the local stack. It holds no resources itself: providers
 * (Key Vault vaults, Azurite's storage accounts, Entra applications, App Service sites, Event Grid topics,
 * data collection rules) bring their routes. Like the local Key Vault it trusts token claims without a
 * signature check, and it is for trying and testing kvguard only.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { identityFromAuthorization, type Identity } from "../auth/identity.js";
import { Faults, type FaultSpec } from "../faults.js";
import { KvError } from "../http/errors.js";
import { sendJson } from "../http/io.js";
import type { Method } from "../http/route.js";
import { Router } from "../http/router.js";
import type { TlsMaterial } from "../tls.js";
import { faultRoutes } from "./faultRoutes.js";

/**
 * Which API a route belongs to, which decides the token it needs and the shape of its errors:
 * "arm", "graph" and "monitor" (Logs Ingestion) need a Bearer token for their audience; "eventgrid" reads
 * one when sent but also takes a topic key, which its routes check; "login" (the token endpoint, discovery,
 * the admin APIs) needs none.
 */
export type CloudApi = "arm" | "graph" | "eventgrid" | "monitor" | "login";

/** Token audiences each API accepts: the public resource URL (and Graph's app id). */
export const CLOUD_AUDIENCES: Record<Exclude<CloudApi, "login">, string[]> = {
  arm: ["https://management.azure.com", "https://management.core.windows.net", "https://management.core.windows.net/"],
  graph: ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"],
  eventgrid: ["https://eventgrid.azure.net", "https://eventgrid.azure.net/"],
  monitor: ["https://monitor.azure.com", "https://monitor.azure.com/"],
};

/** The error code a refused token gets: Event Grid's own; ARM's for the rest (Logs Ingestion authenticates as ARM does). */
const UNAUTHORIZED_CODES: Record<Exclude<CloudApi, "login">, string> = {
  arm: "InvalidAuthenticationToken",
  graph: "InvalidAuthenticationToken",
  eventgrid: "Unauthorized",
  monitor: "InvalidAuthenticationToken",
};

/** Larger than any request a served API accepts (1 MB for Event Grid and Logs Ingestion), so each answers its own 413. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface CloudRequest {
  method: Method;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** The raw body (the token endpoint takes a form, not JSON). */
  text: string;
  /** The body's bytes, as sent (Logs Ingestion takes gzip). */
  raw: Buffer;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  body: unknown;
  /** The caller, from its Bearer token; absent on "login" routes. */
  identity?: Identity;
  /** The cloud's base URL (`https://127.0.0.1:port`), for links in responses. */
  baseUrl: string;
}

export interface CloudResponse {
  status?: number;
  body?: unknown;
  /** A body sent as is (`Content-Type` in headers) instead of JSON: Service Bus answers Atom XML. */
  text?: string;
  headers?: Record<string, string>;
}

export interface CloudRoute {
  api: CloudApi;
  method: Method;
  /** Segments; `{name}` captures (matched case-insensitively for literals, as ARM paths are). */
  path: string;
  handle(request: CloudRequest): CloudResponse | Promise<CloudResponse>;
}

/** An error answered as `{"error":{"code","message"[,"details"]}}`, the shape ARM, Graph and Event Grid share. */
export class CloudError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details?: { code: string; message: string; target?: string }[],
  ) {
    super(message);
    this.name = "CloudError";
  }
}

export interface LocalCloudOptions {
  tls: TlsMaterial;
  routes: CloudRoute[];
  /** 0 (default): any free port. */
  port?: number;
  /** Run at close, after the server stops: providers' timers, deliveries and state writes. */
  closers?: (() => void | Promise<void>)[];
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new CloudError(413, "RequestEntityTooLarge", `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class LocalCloud {
  /** Injected failures (429 with Retry-After, 5xx) for tests of retry handling. */
  readonly faults = new Faults();
  readonly #router: Router<CloudRoute>;
  readonly #server: Server;
  readonly #closers: (() => void | Promise<void>)[];
  #baseUrl = "";

  private constructor(options: LocalCloudOptions) {
    this.#router = new Router([...options.routes, ...faultRoutes(this.faults)]);
    this.#closers = options.closers ?? [];
    this.#server = createServer({ key: options.tls.keyPem, cert: options.tls.certPem }, (req, res) => {
      void this.#serve(req, res);
    });
  }

  static async start(options: LocalCloudOptions): Promise<LocalCloud> {
    const cloud = new LocalCloud(options);
    await new Promise<void>((resolve, reject) => {
      cloud.#server.once("error", reject);
      cloud.#server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    cloud.#baseUrl = `https://127.0.0.1:${(cloud.#server.address() as AddressInfo).port}`;
    return cloud;
  }

  /** `https://127.0.0.1:port`: the ARM endpoint, the Graph endpoint and the authority host at once. */
  get url(): string {
    return this.#baseUrl;
  }

  /** Adds a fault (see the local Key Vault's faults: `{status, count, match: "POST /subscriptions/"}`). */
  addFault(spec: FaultSpec): void {
    this.faults.add(spec);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const close of this.#closers) await close();
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.#baseUrl);
    const method = (req.method ?? "GET").toUpperCase();
    try {
      const raw = await readRaw(req);
      const text = raw.toString("utf8");
      const fault = this.faults.take(method, url.pathname);
      if (fault) throw fault;
      const { route, params } = this.#router.match(method, url.pathname);
      let identity: Identity | undefined;
      // Event Grid also takes keys (a namespace's as `Authorization: SharedAccessKey`), which its routes check.
      const tokenOptional = route.api === "eventgrid" && !/^Bearer /i.test(req.headers.authorization ?? "");
      if (route.api !== "login" && !tokenOptional) {
        try {
          identity = identityFromAuthorization(req.headers.authorization ?? "", CLOUD_AUDIENCES[route.api]);
        } catch (error) {
          const message = error instanceof Error ? error.message.replace(/^AKV\d+: /, "") : String(error);
          throw new CloudError(401, UNAUTHORIZED_CODES[route.api], message);
        }
      }
      const result = await route.handle({
        method: method as Method,
        params,
        query: url.searchParams,
        headers: req.headers,
        text,
        raw,
        body: parseBody(text),
        ...(identity ? { identity } : {}),
        baseUrl: this.#baseUrl,
      });
      const headers = { "x-ms-request-id": crypto.randomUUID(), ...result.headers };
      if (result.text !== undefined) {
        res.writeHead(result.status ?? 200, { ...headers, "Content-Length": Buffer.byteLength(result.text) }).end(result.text);
      } else {
        sendJson(res, result.status ?? 200, result.body, headers);
      }
    } catch (error) {
      if (error instanceof CloudError) {
        const details = error.details ? { details: error.details } : {};
        sendJson(res, error.status, { error: { code: error.code, message: error.message, ...details } }, error.headers);
      } else if (error instanceof KvError) {
        sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
      } else {
        sendJson(res, 500, { error: { code: "InternalServerError", message: error instanceof Error ? error.message : String(error) } });
      }
    }
  }
}
