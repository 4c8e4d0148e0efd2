/**
 * @module Event Grid custom topics of the local cloud: the input schema publishers must use, the two access
 * keys (and whether key and SAS auth are off: `disableLocalAuth`), who holds the EventGrid Data Sender role,
 * and the webhook subscriptions. Topics persist in `eventgrid.json` of the state folder (keys included, as
 * the local Key Vault keeps its values: a development tool).
 */
import { randomBytes } from "node:crypto";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../../localKeyVault.js";
import type { ManagementAccess } from "../armScope.js";

export const INPUT_SCHEMAS = ["EventGridSchema", "CloudEventSchemaV1_0"] as const;
export type InputSchema = (typeof INPUT_SCHEMAS)[number];

export interface Topic {
  name: string;
  location: string;
  tags: Record<string, string>;
  inputSchema: InputSchema;
  key1: string;
  key2: string;
  /** Keys and SAS tokens refused: Entra ID only. */
  disableLocalAuth: boolean;
  /** Object ids holding EventGrid Data Sender on the topic; empty: every Entra caller may publish (the local stack's open default). */
  dataSenders: string[];
  managementAccess?: ManagementAccess[];
  /** Subscriptions as the delivery validated them (the delivery owns them while the topic is served). */
  subscriptions: unknown[];
}

/** Event Grid's rule for topic names. */
export const TOPIC_NAME = /^[A-Za-z0-9-]{3,50}$/;
const RESERVED_PREFIXES = ["microsoft", "eventgrid", "system"];

export function topicNameProblem(name: string): string | undefined {
  if (!TOPIC_NAME.test(name)) return "Topic name must be between 3 and 50 characters in length, letters, digits and '-' only.";
  if (RESERVED_PREFIXES.some((p) => name.toLowerCase().startsWith(p)))
    return `Topic name must not start with ${RESERVED_PREFIXES.map((p) => `'${p}'`).join(", ")}.`;
  return undefined;
}

export function topicId(name: string): string {
  return `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}/providers/Microsoft.EventGrid/topics/${name}`;
}

/** Where publishers post: on the local cloud, a path per topic (Azure gives each topic its own host). */
export function topicEndpoint(cloudUrl: string, name: string): string {
  return `${cloudUrl}/eventgrid/topics/${name}/api/events`;
}

/** A new access key: 32 random bytes in base64, as Event Grid's are. */
export function newTopicKey(): string {
  return randomBytes(32).toString("base64");
}
