/**
 * @module Key Vault paging: `{value, nextLink}`, at most 25 items a page. A name list continues after the
 * last name returned (so objects added or removed while a client pages neither repeat nor vanish from it);
 * a version list, which only grows at its end, continues by position. Only the page is mapped.
 */
import { errors } from "../http/errors.js";

export const MAX_PAGE = 25;

export interface Paging<E> {
  /** The sort key of an entry (lower-cased name) when the list is sorted by name; absent: by position. */
  key?: (entry: E) => string;
}

export function page<E, T>(
  entries: readonly E[],
  query: URLSearchParams,
  baseUrl: string,
  map: (entry: E) => T,
  paging: Paging<E> = {},
): { value: T[]; nextLink: string | null } {
  const max = query.get("maxresults");
  const size = max === null ? MAX_PAGE : Number(max);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
    throw errors.badParameter(`maxresults must be an integer from 1 to ${MAX_PAGE}, got ${max}.`);
  }
  const token = query.get("$skiptoken");
  let start = 0;
  if (token !== null) {
    if (paging.key) {
      const after = Buffer.from(token, "base64url").toString("utf8");
      const next = entries.findIndex((e) => paging.key!(e) > after);
      start = next < 0 ? entries.length : next;
    } else {
      start = Number(token);
      if (!Number.isInteger(start) || start < 0) throw errors.badParameter("Invalid $skiptoken.");
    }
  }
  const slice = entries.slice(start, start + size);
  if (start + size >= entries.length) return { value: slice.map(map), nextLink: null };
  const next = new URL(baseUrl);
  next.searchParams.set("api-version", query.get("api-version") ?? "");
  next.searchParams.set("$skiptoken", paging.key ? Buffer.from(paging.key(slice.at(-1)!)).toString("base64url") : String(start + size));
  next.searchParams.set("maxresults", String(size));
  return { value: slice.map(map), nextLink: next.toString() };
}
