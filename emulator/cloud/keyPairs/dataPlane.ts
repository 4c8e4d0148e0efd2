/**
 * @module One documented, authenticated data-plane call per key-based service, on the local cloud's port,
 * checking the caller's key as the service does; a wrong or regenerated-away key is refused with the
 * service's status. These are what the key-pair rotator validates a key with (Redis is a real server instead).
 *
 *   Cosmos DB       GET  /cosmos/{account}/dbs                       master-key token (`type=master&ver=1.0&sig=`), any of the four keys
 *   Service Bus     GET  /servicebus/{ns}/{entity | $namespaceinfo}  SAS token of a rule with Manage
 *   Event Hubs      GET  /eventhubs/{ns}/{entity | $namespaceinfo}   the same
 *   AI services     GET  /cognitive/{account}/openai/models          `api-key`
 *   AI Search       GET  /search/{service}/servicestats              `api-key` (admin keys only)
 *   SignalR         GET  /signalr/{name}/api/v1/hubs/{hub}/users/{user}                 Bearer JWT (HS256) signed with an access key
 *   Web PubSub      GET  /webpubsub/{name}/api/hubs/{hub}/groups/{group}/connections    the same
 *   App Configuration GET /appconfig/{store}/kv                       HMAC-SHA256 with the key's id and secret
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { CloudError, type CloudRequest, type CloudRoute } from "../host.js";
import type { Kind, KeyResource, LocalKeyPairs } from "./resources.js";

const SKEW_MS = 15 * 60_000;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const hmac = (key: Buffer | string, text: string) => createHmac("sha256", key).update(text).digest("base64");

/** Open route (the key is the credential, checked by the handler). */
function open(method: CloudRoute["method"], path: string, handle: CloudRoute["handle"]): CloudRoute {
  return { api: "login", method, path, handle };
}

function resourceOf(keyPairs: LocalKeyPairs, kind: Kind, name: string | undefined): KeyResource {
  // Service Bus and Event Hubs namespaces are known by their rules.
  const found = keyPairs.list().find((r) => r.kind === kind && r.name.toLowerCase() === (name ?? "").toLowerCase());
  if (!found) throw new CloudError(404, "NotFound", `No ${kind} resource named ${name} is served here.`);
  return found;
}

function cosmos(keyPairs: LocalKeyPairs, request: CloudRequest): void {
  const account = resourceOf(keyPairs, "cosmos", request.params.name);
  const date = header(request.headers, "x-ms-date") ?? "";
  const token = decodeURIComponent(header(request.headers, "authorization") ?? "");
  const unauthorized = (why: string) => new CloudError(401, "Unauthorized", `The input authorization token can't serve the request: ${why}`);
  if (!/^type=master&ver=1\.0&sig=/.test(token)) throw unauthorized("expected a master key token (type=master&ver=1.0&sig=...).");
  if (Number.isNaN(Date.parse(date)) || Math.abs(Date.parse(date) - Date.now()) > SKEW_MS)
    throw unauthorized("x-ms-date is missing or more than 15 minutes off.");
  const payload = `get\ndbs\n\n${date.toLowerCase()}\n\n`;
  const sig = token.slice(token.indexOf("sig=") + 4);
  if (!Object.values(account.keys).some((k) => same(hmac(Buffer.from(k.value, "base64"), payload), sig)))
    throw unauthorized("the signature matches none of the account's keys.");
}

/** `SharedAccessSignature sr=&sig=&se=&skn=`: a rule of the namespace, or of the entity asked for, with Manage. */
function sas(keyPairs: LocalKeyPairs, request: CloudRequest, kind: Kind): void {
  const { name, entity } = request.params as { name: string; entity: string };
  resourceOf(keyPairs, kind, name);
  const unauthorized = (why: string) => new CloudError(401, "Unauthorized", `InvalidSignature: ${why}`);
  const text = header(request.headers, "authorization") ?? "";
  if (!text.startsWith("SharedAccessSignature ")) throw unauthorized("expected a SharedAccessSignature token.");
  const fields = new Map(
    text
      .slice("SharedAccessSignature ".length)
      .split("&")
      .map((part) => [part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)] as const),
  );
  const [sr, sig, se, skn] = ["sr", "sig", "se", "skn"].map((f) => fields.get(f) ?? "") as [string, string, string, string];
  const entityPath =
    entity === "$namespaceinfo"
      ? undefined
      : keyPairs
          .list()
          .find((r) => r.kind === kind && r.name.toLowerCase() === name.toLowerCase() && r.entity?.split("/")[1]?.toLowerCase() === entity.toLowerCase())
          ?.entity;
  if (entity !== "$namespaceinfo" && !entityPath) throw new CloudError(404, "NotFound", `No entity named ${entity} in namespace ${name}.`);
  const rule =
    (entityPath ? keyPairs.get(kind, name, entityPath, decodeURIComponent(skn)) : undefined) ?? keyPairs.get(kind, name, undefined, decodeURIComponent(skn));
  if (!rule) throw unauthorized(`no authorization rule named ${decodeURIComponent(skn)} here.`);
  if (!rule.rights?.includes("Manage")) throw unauthorized(`rule ${rule.rule} lacks the Manage claim this call needs.`);
  if (!Object.values(rule.keys).some((k) => same(hmac(k.value, `${sr}\n${se}`), decodeURIComponent(sig))))
    throw unauthorized("the signature matches neither of the rule's keys.");
  if (Number(se) * 1000 <= Date.now()) throw unauthorized("the token has expired.");
  const resource =
    `${request.baseUrl}/${kind === "serviceBus" ? "servicebus" : "eventhubs"}/${name}/${entity === "$namespaceinfo" ? "" : entity}`.toLowerCase();
  if (!resource.startsWith(decodeURIComponent(sr).toLowerCase().replace(/\/$/, ""))) throw unauthorized("the token was made for another resource.");
}

function apiKey(keyPairs: LocalKeyPairs, request: CloudRequest, kind: "cognitive" | "search"): void {
  const resource = resourceOf(keyPairs, kind, request.params.name);
  const given = header(request.headers, "api-key") ?? "";
  if (Object.values(resource.keys).some((k) => same(k.value, given))) return;
  if (kind === "search") throw new CloudError(403, "Forbidden", "Authorization failed: the api-key is not an admin key of this service.");
  throw new CloudError(
    401,
    "401",
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
  );
}

/** A JWT (HS256) signed with one of the access keys, for this very URL (`aud`, without the query), unexpired. */
function jwt(keyPairs: LocalKeyPairs, request: CloudRequest, kind: "signalR" | "webPubSub", path: string): void {
  const resource = resourceOf(keyPairs, kind, request.params.name);
  const unauthorized = (why: string) => new CloudError(401, "Unauthorized", why);
  const token = (header(request.headers, "authorization") ?? "").replace(/^Bearer /, "");
  const [head, body, signature] = token.split(".");
  if (!head || !body || !signature) throw unauthorized("Bearer token missing or not a JWT.");
  if (!Object.values(resource.keys).some((k) => same(createHmac("sha256", k.value).update(`${head}.${body}`).digest("base64url"), signature))) {
    throw unauthorized("The access token's signature is invalid.");
  }
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { aud?: string; exp?: number };
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= Date.now()) throw unauthorized("The access token has expired.");
  if ((claims.aud ?? "").toLowerCase().replace(/\/$/, "") !== `${request.baseUrl}${path}`.toLowerCase())
    throw unauthorized("The access token's audience is not this request's URL.");
}

/** `HMAC-SHA256 Credential=<id>&SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<sig>`. */
function appConfig(keyPairs: LocalKeyPairs, request: CloudRequest, pathAndQuery: string): void {
  const store = resourceOf(keyPairs, "appConfiguration", request.params.name);
  const unauthorized = (why: string) => new CloudError(401, "Unauthorized", why, { "WWW-Authenticate": 'HMAC-SHA256, Bearer error="invalid_token"' });
  const text = header(request.headers, "authorization") ?? "";
  if (!text.startsWith("HMAC-SHA256 ")) throw unauthorized("Invalid Authorization header: expected HMAC-SHA256.");
  const fields = new Map(
    text
      .slice(12)
      .split("&")
      .map((part) => [part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)] as const),
  );
  const key = Object.values(store.keys).find((k) => k.id === fields.get("Credential"));
  if (!key) throw unauthorized("Invalid Credential: no access key has this id.");
  const signed = (fields.get("SignedHeaders") ?? "").split(";");
  if (!["x-ms-date", "host", "x-ms-content-sha256"].every((h) => signed.includes(h)))
    throw unauthorized("SignedHeaders must include x-ms-date, host and x-ms-content-sha256.");
  const date = header(request.headers, "x-ms-date") ?? "";
  if (Number.isNaN(Date.parse(date)) || Math.abs(Date.parse(date) - Date.now()) > SKEW_MS)
    throw unauthorized("x-ms-date is missing or more than 15 minutes off.");
  if (header(request.headers, "x-ms-content-sha256") !== createHash("sha256").update(request.raw).digest("base64"))
    throw unauthorized("x-ms-content-sha256 does not match the body.");
  const values = signed.map((h) => header(request.headers, h) ?? "").join(";");
  if (!same(hmac(Buffer.from(key.value, "base64"), `${request.method}\n${pathAndQuery}\n${values}`), fields.get("Signature") ?? ""))
    throw unauthorized("Invalid Signature.");
}

function messagingEntity(kind: "serviceBus" | "eventHubs", request: CloudRequest): { status: number; text: string; headers: Record<string, string> } {
  const title = request.params.entity === "$namespaceinfo" ? request.params.name : request.params.entity;
  const xml = `<entry xmlns="http://www.w3.org/2005/Atom"><title type="text">${title}</title><content type="application/xml"/></entry>`;
  return { status: 200, text: xml, headers: { "Content-Type": "application/atom+xml;type=entry;charset=utf-8" } };
}

export function keyPairDataRoutes(keyPairs: LocalKeyPairs): CloudRoute[] {
  const pathOf = (request: CloudRequest, full: string) => full.replace(/\{(\w+)\}/g, (_, p: string) => request.params[p] ?? "");
  return [
    open("GET", "/cosmos/{name}/dbs", (request) => {
      cosmos(keyPairs, request);
      return { body: { _rid: "", Databases: [], _count: 0 } };
    }),
    ...(["serviceBus", "eventHubs"] as const).map((kind) =>
      open("GET", `/${kind === "serviceBus" ? "servicebus" : "eventhubs"}/{name}/{entity}`, (request) => {
        sas(keyPairs, request, kind);
        return messagingEntity(kind, request);
      }),
    ),
    open("GET", "/cognitive/{name}/openai/models", (request) => {
      apiKey(keyPairs, request, "cognitive");
      return { body: { object: "list", data: [] } };
    }),
    open("GET", "/search/{name}/servicestats", (request) => {
      apiKey(keyPairs, request, "search");
      return { body: { counters: { documentCount: { usage: 0 }, indexesCount: { usage: 0, quota: 15 } }, limits: { maxFieldsPerIndex: 1000 } } };
    }),
    open("GET", "/signalr/{name}/api/v1/hubs/{hub}/users/{user}", (request) => {
      jwt(keyPairs, request, "signalR", pathOf(request, "/signalr/{name}/api/v1/hubs/{hub}/users/{user}"));
      // No client connections here: the user has none.
      return { status: 404 };
    }),
    open("GET", "/webpubsub/{name}/api/hubs/{hub}/groups/{group}/connections", (request) => {
      jwt(keyPairs, request, "webPubSub", pathOf(request, "/webpubsub/{name}/api/hubs/{hub}/groups/{group}/connections"));
      return { body: { value: [] } };
    }),
    open("GET", "/appconfig/{name}/kv", (request) => {
      appConfig(keyPairs, request, `${pathOf(request, "/appconfig/{name}/kv")}${request.query.size ? `?${request.query.toString()}` : ""}`);
      return { body: { items: [] } };
    }),
  ];
}
