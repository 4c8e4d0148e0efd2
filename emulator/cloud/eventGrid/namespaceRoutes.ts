/**
 * @module A namespace topic's publish endpoint, `POST /eventgrid/namespaces/{namespace}/topics/{topic}:publish`
 * on the local cloud (Azure: `https://<namespace>.<region>-1.eventgrid.azure.net/topics/<topic>:publish`), for
 * `@azure/eventgrid-namespaces`' EventGridSenderClient, answering as the data plane's API description says:
 * 401 for a missing or refused credential (an Entra caller without EventGrid Data Sender included), 403 for a
 * request over 1 MB or over 1,000 events, 410 for a topic the namespace does not have, 400 for a missing
 * api-version, another content type or a malformed CloudEvent (nothing of the request is accepted), 200 with
 * `{}` once every event is. Beside it, the admin API under `/management/eventgrid/namespaces`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { adminRoutesUnder, parseArmBody, withoutUndefined } from "../armScope.js";
import { CloudError, type CloudRequest, type CloudRoute } from "../host.js";
import { MAX_REQUEST_BYTES, parsePublish } from "./events.js";
import type { AcceptedEvent } from "./localEventGrid.js";
import { namespaceId, type LocalNamespaces, type Namespace } from "./namespaces.js";

/** The namespace limits: 1 MB per request and per event, 1,000 events per request. */
const MAX_EVENTS = 1000;

function refused(status: 400 | 401 | 403 | 404 | 410, message: string): CloudError {
  const code = { 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 410: "Gone" }[status];
  return new CloudError(status, code, message, {}, [{ code, message }]);
}

function sameKey(a: string, b: string): boolean {
  // Hashing first makes the comparison constant-time whatever the lengths.
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

function authorize(namespace: Namespace, request: CloudRequest): AcceptedEvent["auth"] {
  if (request.identity) {
    const oid = request.identity.oid;
    if (namespace.dataSenders.length === 0 || (oid !== undefined && namespace.dataSenders.includes(oid))) return "entra";
    throw refused(401, `The principal '${oid ?? "unknown"}' does not have the EventGrid Data Sender role on namespace '${namespace.name}'.`);
  }
  const header = request.headers.authorization;
  const key = /^SharedAccessKey (.+)$/i.exec(typeof header === "string" ? header : "")?.[1];
  if (key === undefined) throw refused(401, `The request to namespace '${namespace.name}' has no Authorization bearer token or SharedAccessKey.`);
  if (namespace.disableLocalAuth) throw refused(401, `Namespace '${namespace.name}' has local authentication disabled: publish with a Microsoft Entra token.`);
  if (sameKey(key, namespace.key1) || sameKey(key, namespace.key2)) return "key";
  throw refused(401, `The SharedAccessKey is not authorized for namespace '${namespace.name}'.`);
}

function namespaceOf(namespaces: LocalNamespaces, request: CloudRequest): Namespace {
  const namespace = namespaces.get(request.params.namespace!);
  if (!namespace) throw refused(404, `No namespace named '${request.params.namespace}' is served here.`);
  return namespace;
}

function publishRoute(namespaces: LocalNamespaces): CloudRoute {
  return {
    api: "eventgrid",
    method: "POST",
    path: "/eventgrid/namespaces/{namespace}/topics/{action}",
    handle(request) {
      const namespace = namespaceOf(namespaces, request);
      const match = /^([^:]+):publish$/.exec(request.params.action!);
      if (!match) throw refused(404, `No operation '${request.params.action}': POST /topics/<topic>:publish publishes.`);
      const topic = match[1]!;
      const auth = authorize(namespace, request);
      if (!request.query.get("api-version")) throw refused(400, "The api-version query parameter is required (api-version=2024-06-01).");
      if (!namespaces.hasTopic(namespace, topic)) throw refused(410, `Topic '${topic}' was not found in namespace '${namespace.name}'.`);
      if (request.raw.length > MAX_REQUEST_BYTES) {
        throw refused(403, `The request has ${request.raw.length} bytes; a namespace topic takes at most ${MAX_REQUEST_BYTES} per request.`);
      }
      const events = parsePublish(request.raw, request.headers["content-type"], "CloudEventSchemaV1_0", namespaceId(namespace.name, topic));
      if (events.length > MAX_EVENTS) throw refused(403, `The request has ${events.length} events; a namespace topic takes at most ${MAX_EVENTS} per request.`);
      namespaces.publish(namespace, topic, events, auth);
      return { status: 200, body: {} };
    },
  };
}

const namespaceSettings = z.strictObject({
  disableLocalAuth: z.boolean().optional(),
  dataSenders: z.array(z.string().min(1)).optional(),
});
const newNamespace = namespaceSettings.extend({ name: z.string().min(1) });

function view(namespaces: LocalNamespaces, namespace: Namespace): Record<string, unknown> {
  return {
    name: namespace.name,
    id: namespaceId(namespace.name),
    endpoint: namespaces.endpointOf(namespace),
    disableLocalAuth: namespace.disableLocalAuth,
    dataSenders: namespace.dataSenders,
    key1: namespace.key1,
    key2: namespace.key2,
    topics: namespace.topics.map((t) => ({ name: t.name, subscriptions: namespaces.subscriptions(namespace, t.name) })),
  };
}

function adminRoutes(namespaces: LocalNamespaces): CloudRoute[] {
  const route = adminRoutesUnder("eventgrid/namespaces");
  const topicOf = (request: CloudRequest) => {
    const namespace = namespaceOf(namespaces, request);
    if (!namespaces.hasTopic(namespace, request.params.topic!)) throw refused(404, `Namespace '${namespace.name}' has no topic '${request.params.topic}'.`);
    return { namespace, topic: request.params.topic! };
  };
  return [
    route("GET", "", () => ({ body: namespaces.list().map((n) => view(namespaces, n)) })),
    route("POST", "", (request) => {
      const input = withoutUndefined(parseArmBody(newNamespace, request.body)) as z.output<typeof newNamespace>;
      return { status: 201, body: view(namespaces, namespaces.create(input)) };
    }),
    route("GET", "/{namespace}", (request) => ({ body: view(namespaces, namespaceOf(namespaces, request)) })),
    route("PATCH", "/{namespace}", (request) => {
      const namespace = namespaceOf(namespaces, request);
      namespaces.update(namespace, withoutUndefined(parseArmBody(namespaceSettings, request.body)));
      return { body: view(namespaces, namespace) };
    }),
    route("POST", "/{namespace}/topics", async (request) => {
      const namespace = namespaceOf(namespaces, request);
      const { name } = parseArmBody(z.strictObject({ name: z.string().min(1) }), request.body);
      await namespaces.createTopic(namespace, name);
      return { status: 201, body: view(namespaces, namespace) };
    }),
    route("DELETE", "/{namespace}/topics/{topic}", async (request) => {
      const { namespace, topic } = topicOf(request);
      await namespaces.deleteTopic(namespace, topic);
      return { status: 204 };
    }),
    route("GET", "/{namespace}/topics/{topic}/events", (request) => {
      const { namespace, topic } = topicOf(request);
      return { body: namespaces.accepted(namespace, topic) };
    }),
    route("POST", "/{namespace}/topics/{topic}/subscriptions", async (request) => {
      const { namespace, topic } = topicOf(request);
      const { created, view: subscription } = await namespaces.subscribe(namespace, topic, request.body);
      return { status: created ? 201 : 200, body: subscription };
    }),
    route("GET", "/{namespace}/topics/{topic}/subscriptions/{name}/validate/{code}", (request) => {
      const { namespace, topic } = topicOf(request);
      if (!namespaces.validateManually(namespace, topic, request.params.name!, request.params.code!)) {
        throw new CloudError(404, "ValidationNotPending", `No validation of subscription ${request.params.name} with that code is in progress.`);
      }
      return { body: { message: "Webhook successfully validated as a subscription endpoint." } };
    }),
  ];
}

export function namespaceRoutes(namespaces: LocalNamespaces): CloudRoute[] {
  return [publishRoute(namespaces), ...adminRoutes(namespaces)];
}
