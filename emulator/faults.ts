/**
 * @module Fault injection for tests: the next N data-plane requests that match a method and/or a path
 * prefix are answered with Key Vault's error body for a status (503 ServiceUnavailable, 429 Throttled with
 * `Retry-After`...) instead of being served. The request is still audited; nothing in the vault changes.
 */
import { errors, KvError } from "./http/errors.js";

export interface FaultSpec {
  /** The HTTP status to answer with (400-599). */
  status: number;
  /** How many matching requests get it. */
  count: number;
  /** `"PUT /secrets/"`, `"GET"`, `"/keys/k1"`; a path ending in `$` matches that path exactly. */
  match?: string;
  /** `Retry-After` in seconds (429: default 1; other statuses: only when given). */
  retryAfterSeconds?: number;
}

export interface FaultView extends FaultSpec {
  /** Matching requests still to fail. */
  remaining: number;
  /** Requests answered with this fault so far. */
  served: number;
}

interface Rule {
  spec: FaultSpec;
  method?: string;
  path?: string;
  exact: boolean;
  remaining: number;
  served: number;
}

const CODES: Record<number, [code: string, message: string]> = {
  400: ["BadParameter", "The request is invalid (injected fault)."],
  401: ["Unauthorized", "The request is not authorized (injected fault)."],
  403: ["Forbidden", "The operation is forbidden (injected fault)."],
  404: ["NotFound", "The resource was not found (injected fault)."],
  408: ["RequestTimeout", "The request timed out (injected fault)."],
  409: ["Conflict", "The request conflicts with the current state (injected fault)."],
  500: ["InternalServerError", "The service encountered an internal error."],
  502: ["BadGateway", "The service received a bad response from an upstream server."],
  503: ["ServiceUnavailable", "The service is temporarily unavailable. Please retry the request later."],
  504: ["GatewayTimeout", "The service did not answer in time."],
};

const METHODS = new Set(["GET", "PUT", "POST", "PATCH", "DELETE"]);

/** Parses `"METHOD /path"`, `"METHOD"` or `"/path"`; throws a message that shows the accepted forms. */
export function parseMatch(text: string): { method?: string; path?: string; exact: boolean } {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  let method: string | undefined;
  let path: string | undefined;
  for (const part of parts) {
    if (METHODS.has(part.toUpperCase()) && method === undefined && path === undefined) method = part.toUpperCase();
    else if (part.startsWith("/") && path === undefined) path = part;
    else throw new Error(`match "${text}": use "METHOD /path-prefix", "METHOD" or "/path-prefix" (a path ending in $ is exact)`);
  }
  if (!method && !path) throw new Error(`match "${text}" names neither a method nor a path`);
  const exact = path?.endsWith("$") ?? false;
  if (path && exact) path = path.slice(0, -1);
  return { ...(method ? { method } : {}), ...(path ? { path: path.replace(/\/+$/, "").toLowerCase() || "/" } : {}), exact };
}

/** The error body Key Vault answers with for `status`. */
export function faultError(status: number, retryAfterSeconds?: number): KvError {
  if (status === 429) return errors.throttled(retryAfterSeconds ?? 1);
  const [code, message] = CODES[status] ?? [`Http${status}`, `The request failed with status ${status} (injected fault).`];
  return new KvError(status, code, message, undefined, retryAfterSeconds !== undefined ? { "Retry-After": String(retryAfterSeconds) } : {});
}

export class Faults {
  #rules: Rule[] = [];

  /** Adds a fault; throws on a bad spec. */
  add(spec: FaultSpec): FaultView {
    if (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599) throw new Error(`status ${spec.status} is not an error status (400-599)`);
    if (!Number.isInteger(spec.count) || spec.count < 1) throw new Error(`count ${spec.count} is not a positive whole number`);
    const match = spec.match === undefined ? { exact: false } : parseMatch(spec.match);
    const rule: Rule = { spec, ...match, remaining: spec.count, served: 0 };
    this.#rules.push(rule);
    return view(rule);
  }

  clear(): number {
    const n = this.#rules.length;
    this.#rules = [];
    return n;
  }

  list(): FaultView[] {
    return this.#rules.map(view);
  }

  /** The error to answer this request with, consuming one from the first matching fault; undefined when none. */
  take(method: string, pathname: string): KvError | undefined {
    const path = pathname.replace(/\/+$/, "").toLowerCase() || "/";
    const rule = this.#rules.find(
      (r) => r.remaining > 0 && (!r.method || r.method === method.toUpperCase()) && (!r.path || (r.exact ? path === r.path : path.startsWith(r.path))),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    rule.served += 1;
    return faultError(rule.spec.status, rule.spec.retryAfterSeconds);
  }
}

function view(rule: Rule): FaultView {
  return { ...rule.spec, remaining: rule.remaining, served: rule.served };
}
