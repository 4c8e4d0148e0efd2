/** @module Matches a request path against the route table; literal segments win over captures. */
import { errors } from "./errors.js";
import type { Method } from "./route.js";

/** Anything with a method and a path pattern: data-plane and admin routes alike. */
export interface Routable {
  method: Method;
  path: string;
}

interface Compiled<R extends Routable> {
  route: R;
  segments: { literal?: string; capture?: string; optional?: boolean }[];
}

export interface Match<R extends Routable> {
  route: R;
  params: Record<string, string>;
}

function compile<R extends Routable>(route: R): Compiled<R> {
  const segments = route.path
    .split("/")
    .filter(Boolean)
    .map((s) => {
      const capture = /^\{(\w+)(\?)?\}$/.exec(s);
      return capture ? { capture: capture[1]!, optional: capture[2] === "?" } : { literal: s.toLowerCase() };
    });
  return { route, segments };
}

function matchSegments(compiled: Compiled<Routable>, parts: string[]): Record<string, string> | undefined {
  const { segments } = compiled;
  const required = segments.filter((s) => !s.optional).length;
  if (parts.length < required || parts.length > segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    const part = parts[i];
    if (part === undefined) return segment.optional ? params : undefined;
    if (segment.literal !== undefined) {
      if (segment.literal !== part.toLowerCase()) return undefined;
    } else {
      params[segment.capture!] = decodeURIComponent(part);
    }
  }
  return params;
}

/** Literal-heavy routes first, so `/keys/{name}/rotate` is not taken for a version. */
function specificity(c: Compiled<Routable>): number {
  return c.segments.reduce((n, s, i) => n + (s.literal !== undefined ? 2 ** (10 - i) : 0), 0);
}

export class Router<R extends Routable> {
  readonly #routes: Compiled<R>[];

  constructor(routes: R[]) {
    this.#routes = routes.map(compile).sort((a, b) => specificity(b) - specificity(a));
  }

  match(method: string, pathname: string): Match<R> {
    const parts = pathname.split("/").filter(Boolean);
    let pathMatched = false;
    for (const compiled of this.#routes) {
      const params = matchSegments(compiled, parts);
      if (!params) continue;
      pathMatched = true;
      if (compiled.route.method === (method as Method)) return { route: compiled.route, params };
    }
    throw pathMatched ? errors.methodNotAllowed(method, pathname) : errors.routeNotFound(pathname);
  }
}
