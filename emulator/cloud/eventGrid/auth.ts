/**
 * @module Who may publish to a topic: a Microsoft Entra token (`https://eventgrid.azure.net`) whose principal
 * holds EventGrid Data Sender on the topic, or, unless the topic disables local auth, one of its access keys
 * (`aeg-sas-key`) or a SAS token made from one (`aeg-sas-token: r=<resource>&e=<expiry>&s=<HMAC-SHA256>`).
 * Anything else is 401, as Event Grid answers authorization failures when publishing.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Identity } from "../../auth/identity.js";
import { publishError } from "./events.js";
import type { Topic } from "./topic.js";

/** How the publisher authenticated, for the record of accepted events. */
export type PublishAuth = { kind: "entra"; principalId: string } | { kind: "key" } | { kind: "sas" };

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Verifies a SAS token for the topic's endpoint against both keys; returns why it is refused, or undefined. */
function sasProblem(token: string, topic: Topic, endpoint: string, nowMs: number): string | undefined {
  const params = new Map<string, string>();
  for (const part of token.split("&")) {
    const at = part.indexOf("=");
    if (at > 0) params.set(part.slice(0, at), part.slice(at + 1));
  }
  const resource = params.get("r");
  const expiry = params.get("e");
  const signature = params.get("s");
  if (!resource || !expiry || !signature) return "the SAS token must have r, e and s.";
  const unsigned = token.slice(0, token.indexOf("&s="));
  const valid = [topic.key1, topic.key2].some((key) =>
    sameText(createHmac("sha256", Buffer.from(key, "base64")).update(unsigned).digest("base64"), decodeURIComponent(signature)),
  );
  if (!valid) return "the SAS token's signature does not match either of the topic's keys.";
  if (!decodeURIComponent(resource).toLowerCase().startsWith(endpoint.toLowerCase())) return "the SAS token was made for another resource.";
  const expiresMs = Date.parse(`${decodeURIComponent(expiry)} UTC`);
  if (Number.isNaN(expiresMs)) return "the SAS token's expiry is not a date.";
  if (expiresMs <= nowMs) return "the SAS token has expired.";
  return undefined;
}

/**
 * Checks the publisher's credential.
 * @throws CloudError 401
 */
export function authorizePublish(topic: Topic, endpoint: string, headers: IncomingHttpHeaders, identity: Identity | undefined): PublishAuth {
  const host = `${endpoint.replace(/\/api\/events$/, "")}`;
  if (identity) {
    if (topic.dataSenders.length === 0 || (identity.oid !== undefined && topic.dataSenders.includes(identity.oid))) {
      return { kind: "entra", principalId: identity.oid ?? "" };
    }
    throw publishError(
      401,
      `The principal '${identity.oid ?? "unknown"}' does not have the EventGrid Data Sender role on topic '${topic.name}' (${host}), which publishing needs.`,
    );
  }
  const key = header(headers, "aeg-sas-key");
  const sas = header(headers, "aeg-sas-token");
  if (key === undefined && sas === undefined) {
    throw publishError(401, `The request to topic '${topic.name}' has no Authorization bearer token, aeg-sas-key or aeg-sas-token.`);
  }
  if (topic.disableLocalAuth) {
    throw publishError(401, `Topic '${topic.name}' has local authentication disabled: publish with a Microsoft Entra token; keys and SAS tokens are refused.`);
  }
  if (key !== undefined) {
    if (sameText(key, topic.key1) || sameText(key, topic.key2)) return { kind: "key" };
    throw publishError(401, `The request authorization key is not authorized for topic '${topic.name}'.`);
  }
  const problem = sasProblem(sas!, topic, endpoint, Date.now());
  if (problem) throw publishError(401, `The request's SAS token is not authorized for topic '${topic.name}': ${problem}`);
  return { kind: "sas" };
}
