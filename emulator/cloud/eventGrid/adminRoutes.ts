/**
 * @module The local Event Grid's admin API (`/management/eventgrid/`, no token): create and change topics
 * (input schema, `disableLocalAuth`, who holds EventGrid Data Sender), their keys, webhook subscriptions
 * with the validation handshake and delivery counters (the same body as the local Key Vault's
 * `/management/subscriptions`, without `vaults`), and the events a topic accepted, for tests.
 */
import { z } from "zod";
import { adminRoutesUnder, parseArmBody, withoutUndefined } from "../armScope.js";
import { CloudError, type CloudRequest, type CloudRoute } from "../host.js";
import type { LocalEventGrid } from "./localEventGrid.js";
import { INPUT_SCHEMAS, topicId, type Topic } from "./topic.js";

const topicSettings = z.strictObject({
  inputSchema: z.enum(INPUT_SCHEMAS).optional(),
  disableLocalAuth: z.boolean().optional(),
  /** Object ids holding EventGrid Data Sender; empty: every Entra caller. */
  dataSenders: z.array(z.string().min(1)).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  managementAccess: z.array(z.strictObject({ principalId: z.string().min(1), role: z.enum(["Reader", "Contributor"]) })).optional(),
});

const newTopic = topicSettings.extend({ name: z.string().min(1), location: z.string().min(1).optional() });

function adminView(eventGrid: LocalEventGrid, topic: Topic): Record<string, unknown> {
  return {
    name: topic.name,
    id: topicId(topic.name),
    endpoint: eventGrid.endpointOf(topic),
    inputSchema: topic.inputSchema,
    disableLocalAuth: topic.disableLocalAuth,
    dataSenders: topic.dataSenders,
    managementAccess: topic.managementAccess ?? [],
    key1: topic.key1,
    key2: topic.key2,
    subscriptions: eventGrid.delivery(topic).list(),
  };
}

function topicOf(eventGrid: LocalEventGrid, request: CloudRequest): Topic {
  const topic = eventGrid.get(request.params.topic!);
  if (!topic) throw new CloudError(404, "NotFound", `No topic named ${request.params.topic}.`);
  return topic;
}

export function eventGridAdminRoutes(eventGrid: LocalEventGrid): CloudRoute[] {
  const route = adminRoutesUnder("eventgrid");
  const subscriptionOf = (request: CloudRequest) => {
    const view = eventGrid.delivery(topicOf(eventGrid, request)).get(request.params.name!);
    if (!view) throw new CloudError(404, "NotFound", `Topic ${request.params.topic} has no subscription named ${request.params.name}.`);
    return view;
  };
  return [
    route("GET", "/topics", () => ({ body: eventGrid.list().map((t) => adminView(eventGrid, t)) })),
    route("POST", "/topics", async (request) => {
      const topic = await eventGrid.create(withoutUndefined(parseArmBody(newTopic, request.body)) as z.output<typeof newTopic>);
      return { status: 201, body: adminView(eventGrid, topic) };
    }),
    route("GET", "/topics/{topic}", (request) => ({ body: adminView(eventGrid, topicOf(eventGrid, request)) })),
    route("PATCH", "/topics/{topic}", (request) => {
      const topic = topicOf(eventGrid, request);
      eventGrid.update(topic, withoutUndefined(parseArmBody(topicSettings, request.body)));
      return { body: adminView(eventGrid, topic) };
    }),
    route("DELETE", "/topics/{topic}", async (request) => {
      await eventGrid.delete(topicOf(eventGrid, request).name);
      return { status: 204 };
    }),
    route("GET", "/topics/{topic}/events", (request) => ({ body: eventGrid.accepted(topicOf(eventGrid, request)) })),
    route("POST", "/topics/{topic}/subscriptions", async (request) => {
      const { created, view } = await eventGrid.subscribe(topicOf(eventGrid, request), request.body);
      return { status: created ? 201 : 200, body: view };
    }),
    route("GET", "/topics/{topic}/subscriptions", (request) => ({ body: eventGrid.delivery(topicOf(eventGrid, request)).list() })),
    route("GET", "/topics/{topic}/subscriptions/{name}", (request) => ({ body: subscriptionOf(request) })),
    route("DELETE", "/topics/{topic}/subscriptions/{name}", (request) => {
      if (!eventGrid.unsubscribe(topicOf(eventGrid, request), request.params.name!)) {
        throw new CloudError(404, "NotFound", `Topic ${request.params.topic} has no subscription named ${request.params.name}.`);
      }
      return { status: 204 };
    }),
    route("GET", "/topics/{topic}/subscriptions/{name}/validate/{code}", (request) => {
      if (!eventGrid.delivery(topicOf(eventGrid, request)).validateManually(request.params.name!, request.params.code!)) {
        throw new CloudError(404, "ValidationNotPending", `No validation of subscription ${request.params.name} with that code is in progress.`);
      }
      return { body: { message: "Webhook successfully validated as a subscription endpoint." } };
    }),
  ];
}
