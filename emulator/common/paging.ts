/** @module Key Vault paging: `{value, nextLink}`, at most 25 items a page, `$skiptoken` in the link. */
import { errors } from "../http/errors.js";

export const MAX_PAGE = 25;

export function page<T>(items: T[], query: URLSearchParams, baseUrl: string): { value: T[]; nextLink: string | null } {
  const max = query.get("maxresults");
  const size = max === null ? MAX_PAGE : Number(max);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
    throw errors.badParameter(`maxresults must be an integer from 1 to ${MAX_PAGE}, got ${max}.`);
  }
  const skip = Number(query.get("$skiptoken") ?? "0");
  if (!Number.isInteger(skip) || skip < 0) throw errors.badParameter("Invalid $skiptoken.");
  const value = items.slice(skip, skip + size);
  if (skip + size >= items.length) return { value, nextLink: null };
  const next = new URL(baseUrl);
  next.searchParams.set("api-version", query.get("api-version") ?? "");
  next.searchParams.set("$skiptoken", String(skip + size));
  next.searchParams.set("maxresults", String(size));
  return { value, nextLink: next.toString() };
}
