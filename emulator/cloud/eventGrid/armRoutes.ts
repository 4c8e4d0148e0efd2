/**
 * @module Event Grid topics on the local cloud's ARM, for `@azure/arm-eventgrid`'s EventGridManagementClient:
 * get, list (subscription, resource group), createOrUpdate, delete, listSharedAccessKeys and regenerateKey,
 * in the shapes of the REST spec (`Microsoft.EventGrid/topics`, api-version 2022-06-15). Management access
 * as for the other providers: Reader reads, Contributor also lists keys and writes.
 */
import { z } from "zod";
import { armRoute as route, canManage, checkScope, parseArmBody, requireManagement, resourceNotFound } from "../armScope.js";
import { CloudError, type CloudRequest, type CloudRoute } from "../host.js";
import type { LocalEventGrid } from "./localEventGrid.js";
import { INPUT_SCHEMAS, topicId, type Topic } from "./topic.js";

const TOPICS = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.EventGrid/topics";
const TOPIC = `${TOPICS}/{name}`;

const topicPutBody = z.object({
  location: z.string().min(1),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z
    .object({
      inputSchema: z.enum(INPUT_SCHEMAS).optional(),
      disableLocalAuth: z.boolean().optional(),
    })
    .passthrough()
    .optional(),
});

export function topicResource(eventGrid: LocalEventGrid, topic: Topic): Record<string, unknown> {
  return {
    id: topicId(topic.name),
    name: topic.name,
    type: "Microsoft.EventGrid/topics",
    location: topic.location,
    tags: topic.tags,
    sku: { name: "Basic" },
    identity: { type: "None" },
    properties: {
      provisioningState: "Succeeded",
      endpoint: eventGrid.endpointOf(topic),
      inputSchema: topic.inputSchema,
      publicNetworkAccess: "Enabled",
      inboundIpRules: [],
      disableLocalAuth: topic.disableLocalAuth,
      minimumTlsVersionAllowed: "1.2",
      dataResidencyBoundary: "WithinGeopair",
    },
  };
}

function keys(topic: Topic): { key1: string; key2: string } {
  return { key1: topic.key1, key2: topic.key2 };
}

function topicFor(eventGrid: LocalEventGrid, request: CloudRequest, action: string): Topic {
  checkScope(request);
  const topic = eventGrid.get(request.params.name!);
  if (!topic) throw resourceNotFound("Microsoft.EventGrid/topics", request.params.name!, request.params.resourceGroup!);
  requireManagement(topic.managementAccess, request, action, topicId(topic.name));
  return topic;
}

function listTopics(eventGrid: LocalEventGrid, request: CloudRequest): { value: Record<string, unknown>[] } {
  checkScope(request);
  const readable = eventGrid.list().filter((topic) => canManage(topic.managementAccess, request.identity, false));
  return { value: readable.map((topic) => topicResource(eventGrid, topic)) };
}

export function eventGridArmRoutes(eventGrid: LocalEventGrid): CloudRoute[] {
  return [
    route("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.EventGrid/topics", (request) => ({ body: listTopics(eventGrid, request) })),
    route("GET", TOPICS, (request) => ({ body: listTopics(eventGrid, request) })),
    route("GET", TOPIC, (request) => ({ body: topicResource(eventGrid, topicFor(eventGrid, request, "Microsoft.EventGrid/topics/read")) })),
    route("PUT", TOPIC, async (request) => {
      checkScope(request);
      const body = parseArmBody(topicPutBody, request.body);
      const existing = eventGrid.get(request.params.name!);
      const settings = {
        ...(body.tags !== undefined ? { tags: body.tags } : {}),
        ...(body.properties?.inputSchema !== undefined ? { inputSchema: body.properties.inputSchema } : {}),
        ...(body.properties?.disableLocalAuth !== undefined ? { disableLocalAuth: body.properties.disableLocalAuth } : {}),
      };
      if (existing) {
        requireManagement(existing.managementAccess, request, "Microsoft.EventGrid/topics/write", topicId(existing.name));
        eventGrid.update(existing, settings);
        return { body: topicResource(eventGrid, existing) };
      }
      const topic = await eventGrid.create({ name: request.params.name!, location: body.location, ...settings });
      return { status: 201, body: topicResource(eventGrid, topic) };
    }),
    route("DELETE", TOPIC, async (request) => {
      const topic = topicFor(eventGrid, request, "Microsoft.EventGrid/topics/delete");
      await eventGrid.delete(topic.name);
      return { status: 200 };
    }),
    route("POST", `${TOPIC}/listKeys`, (request) => ({ body: keys(topicFor(eventGrid, request, "Microsoft.EventGrid/topics/listKeys/action")) })),
    route("POST", `${TOPIC}/regenerateKey`, (request) => {
      const topic = topicFor(eventGrid, request, "Microsoft.EventGrid/topics/regenerateKey/action");
      const keyName = (request.body as { keyName?: unknown } | undefined)?.keyName;
      if (keyName !== "key1" && keyName !== "key2") {
        throw new CloudError(400, "InvalidRequest", `keyName must be key1 or key2, got ${JSON.stringify(keyName ?? null)}.`);
      }
      eventGrid.regenerateKey(topic, keyName);
      return { body: keys(topic) };
    }),
  ];
}
