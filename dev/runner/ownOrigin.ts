/**
 * @module The local runner answers only requests addressed to itself. A web page the developer has open can
 * make the browser send requests to 127.0.0.1: a form or `fetch` posting to `/api/rotate/...` (cross-site
 * request forgery, with the page's `Origin`), or its own host name re-pointed at 127.0.0.1 (DNS rebinding, with
 * that name in `Host`). Requests whose `Host` is not the runner's own address, or whose `Origin` (when a
 * browser sends one) is not the runner's own origin, are refused before anything runs.
 */
import type { IncomingHttpHeaders } from "node:http";

/** The host names the runner answers to (it listens on 127.0.0.1 only). */
const OWN_HOSTS = ["127.0.0.1", "localhost"];

/** `Host` values the runner on `port` accepts: `127.0.0.1:PORT`, `localhost:PORT` (port 80: also without it). */
function ownHosts(port: number): Set<string> {
  return new Set(OWN_HOSTS.flatMap((host) => (port === 80 ? [`${host}:80`, host] : [`${host}:${port}`])));
}

export type RequestCheck = (headers: IncomingHttpHeaders) => string | undefined;

/** A check of each request's `Host` and `Origin`: undefined when the request is the runner's own, else why not. */
export function ownOriginCheck(port: number): RequestCheck {
  const hosts = ownHosts(port);
  const origins = new Set([...hosts].map((host) => `http://${host}`));
  return (headers) => {
    const host = (headers.host ?? "").toLowerCase();
    if (!hosts.has(host)) return `Host ${JSON.stringify(headers.host ?? "")} is not this runner's (${[...hosts].join(" or ")})`;
    const origin = headers.origin;
    if (origin !== undefined && !origins.has(origin.toLowerCase()))
      return `Origin ${JSON.stringify(origin)} is not this runner's (${[...origins].join(" or ")})`;
    return undefined;
  };
}
