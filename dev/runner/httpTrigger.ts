/**
 * @module HTTP triggers at `/api/<route>`: route templates as the host reads them (`{name}`, `{name?}`,
 * `{name:constraint}`, `{*rest}`), a real `HttpRequest` in, the handler's answer (an `HttpResponseInit` or
 * `HttpResponse`) out. A handler that throws gets the host's bare 500.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
// CommonJS whose classes Node's ESM loader cannot see as named exports: take them from the module object.
import functions from "@azure/functions";
import type { HttpFunctionDefinition } from "../../src/functions/table.js";
import { createContext, invoke, type LineWriter } from "./invocation.js";

export type RouteMatcher = (path: string) => Record<string, string> | undefined;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Compiles a route template (without the `api/` prefix); the matcher takes the path after the prefix. */
export function compileRoute(template: string): RouteMatcher {
  const names: string[] = [];
  const segments = template.replace(/^\/+|\/+$/g, "").split("/");
  const pattern = segments
    .map((segment) => {
      const param = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]+)?(\?)?\}$/.exec(segment);
      if (!param) return `/${escapeRegExp(segment)}`;
      names.push(param[2]!);
      if (param[1]) return `(?:/(.*))?`;
      return param[3] ? `(?:/([^/]+))?` : `/([^/]+)`;
    })
    .join("");
  const regex = new RegExp(`^${pattern}/?$`, "i");
  return (path) => {
    const match = regex.exec(path.startsWith("/") ? path : `/${path}`);
    if (!match) return undefined;
    const params: Record<string, string> = {};
    try {
      names.forEach((name, i) => {
        const value = match[i + 1];
        if (value !== undefined) params[name] = decodeURIComponent(value);
      });
    } catch {
      return undefined; // a malformed %-escape matches no route
    }
    return params;
  };
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  return flat;
}

export interface HttpCall {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  params: Record<string, string>;
}

export async function serveHttpFunction(definition: HttpFunctionDefinition, call: HttpCall, res: ServerResponse, write: LineWriter): Promise<void> {
  const request = new functions.HttpRequest({
    method: call.method,
    url: call.url.href,
    headers: flatHeaders(call.headers),
    query: Object.fromEntries(call.url.searchParams),
    params: call.params,
    body: { bytes: call.body },
  });
  const context = createContext({
    functionName: definition.name,
    trigger: { type: "httpTrigger", name: "request", methods: definition.methods, authLevel: definition.authLevel, route: definition.route },
    write,
  });
  const outcome = await invoke(context, () => definition.handler(request, context));
  if (!outcome.ok) {
    res.writeHead(500, { "Content-Length": "0" }).end();
    return;
  }
  const response = outcome.value instanceof functions.HttpResponse ? outcome.value : new functions.HttpResponse(outcome.value ?? {});
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, { ...headers, "Content-Length": String(body.length) }).end(body);
}
