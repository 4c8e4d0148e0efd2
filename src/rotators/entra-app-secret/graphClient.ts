/**
 * @module The Microsoft Graph calls client-secret rotation makes, through the Graph SDK
 * (`@microsoft/microsoft-graph-client`) with a `TokenCredential` auth provider and the Graph endpoint of the
 * settings: read an application (by object id or appId), `addPassword`, `removePassword`. Against the local
 * cloud the SDK's last middleware is swapped for one that sends over node:https trusting the local CA (the
 * SDK's own uses global fetch, which cannot take a CA). Graph's errors become messages that say what to fix.
 */
import { request as httpsRequest } from "node:https";
import type { TokenCredential } from "@azure/core-auth";
import {
  AuthenticationHandler,
  Client,
  GraphError,
  HTTPMessageHandler,
  TelemetryHandler,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";

export interface GraphPassword {
  keyId: string;
  displayName: string | null;
  hint: string | null;
  startDateTime: string;
  endDateTime: string;
}

export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  signInAudience: string;
  passwordCredentials: GraphPassword[];
}

export interface AddedPassword extends GraphPassword {
  secretText: string;
}

export interface GraphConnection {
  endpoint: string;
  credential: TokenCredential;
  /** PEM of the local cloud's CA; absent for real Graph. */
  ca?: string;
}

/** Why a Graph call failed, so callers can act (retry, make room) and messages can say what to fix. */
export class GraphCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    /** Seconds from Retry-After, when Graph sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "GraphCallError";
  }

  /** 429 and 5xx (and no answer at all) are worth another try. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** The token scope of public Graph, which the local cloud accepts too; a sovereign cloud's is its own. */
function scopeFor(connection: GraphConnection): string {
  return connection.ca ? "https://graph.microsoft.com/.default" : `${connection.endpoint}/.default`;
}

/** The SDK's final middleware, sending over node:https with the local CA instead of global fetch. */
class TrustingHttpHandler implements Middleware {
  constructor(readonly ca: string) {}

  async execute(context: Context): Promise<void> {
    const request = new Request(context.request, context.options);
    const body = request.method === "GET" ? "" : await request.text();
    context.response = await new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(request.url, { method: request.method, ca: this.ca, headers: Object.fromEntries(request.headers) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") headers.set(name, value);
          const status = res.statusCode ?? 500;
          resolve(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers }));
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  }
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

const PERMISSION_HINT =
  "kvguard's identity needs the Microsoft Graph application permission Application.ReadWrite.OwnedBy (and to be an owner of the application) or Application.ReadWrite.All, granted with admin consent";

/** A Graph failure as a GraphCallError whose message says what went wrong and, where known, what to do. */
export function describeGraphError(error: unknown, what: string): GraphCallError {
  if (!(error instanceof GraphError)) {
    const message = error instanceof Error ? error.message : String(error);
    return new GraphCallError(`Microsoft Graph ${what}: no answer (${message})`, 0, "NoResponse");
  }
  const code = error.code ?? "Unknown";
  const base = `Microsoft Graph ${what}: ${error.statusCode} ${code}: ${error.message}`;
  let hint = "";
  if (error.statusCode === 403 || code === "Authorization_RequestDenied") hint = ` (${PERMISSION_HINT})`;
  else if (error.statusCode === 401) hint = " (Graph did not accept kvguard's token; check KVGUARD_GRAPH_ENDPOINT and the identity's tenant)";
  else if (code === "CredentialInvalidLifetimeAsPerAppPolicy") {
    hint =
      " (an app-management policy caps client-secret lifetimes: set the rotator option lifetimeDays below the policy's maxLifetime, and ValidityPeriodDays below that)";
  } else if (code === "Request_ResourceNotFound") hint = " (check ProviderAddress: the application's object id or appId)";
  return new GraphCallError(`${base}${hint}`, error.statusCode, code, retryAfter(error.headers));
}

export class EntraGraph {
  readonly #client: Client;

  constructor(connection: GraphConnection) {
    const authProvider = new TokenCredentialAuthenticationProvider(connection.credential, { scopes: [scopeFor(connection)] });
    const host = new URL(connection.endpoint).hostname;
    // No SDK retry handler: retries are the rotator's, since addPassword is not idempotent (a retry first
    // removes what a lost answer may have added).
    this.#client = Client.initWithMiddleware({
      baseUrl: `${connection.endpoint}/`,
      defaultVersion: "v1.0",
      customHosts: new Set([host]),
      middleware: [
        new AuthenticationHandler(authProvider),
        new TelemetryHandler(),
        connection.ca ? new TrustingHttpHandler(connection.ca) : new HTTPMessageHandler(),
      ],
    });
  }

  /** `applications/{id}`, or `applications(appId='…')` when the reference is an appId. */
  static path(ref: { objectId?: string; appId?: string }): string {
    return ref.objectId ? `/applications/${ref.objectId}` : `/applications(appId='${ref.appId}')`;
  }

  async application(path: string): Promise<GraphApplication> {
    try {
      return (await this.#client.api(path).select(["id", "appId", "displayName", "signInAudience", "passwordCredentials"]).get()) as GraphApplication;
    } catch (error) {
      throw describeGraphError(error, `reading application ${path}`);
    }
  }

  async addPassword(path: string, password: { displayName: string; endDateTime: string }): Promise<AddedPassword> {
    try {
      return (await this.#client.api(`${path}/addPassword`).post({ passwordCredential: password })) as AddedPassword;
    } catch (error) {
      throw describeGraphError(error, `adding a client secret to ${path}`);
    }
  }

  async removePassword(path: string, keyId: string): Promise<void> {
    try {
      await this.#client.api(`${path}/removePassword`).post({ keyId });
    } catch (error) {
      throw describeGraphError(error, `removing client secret ${keyId} from ${path}`);
    }
  }

  /** Runs a Graph call again on 429/5xx or no answer, waiting Retry-After when given (else 1 s doubling). */
  static async retrying<T>(
    call: () => Promise<T>,
    options: { attempts?: number; beforeRetry?: () => Promise<void>; log?: (m: string) => void } = {},
  ): Promise<T> {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof GraphCallError) || !error.transient || attempt >= attempts) throw error;
        const waitSeconds = Math.min(60, error.retryAfterSeconds ?? 2 ** (attempt - 1));
        options.log?.(`Graph answered ${error.status || "nothing"} (${error.code}); retrying in ${waitSeconds} s`);
        await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
        await options.beforeRetry?.();
      }
    }
  }
}
