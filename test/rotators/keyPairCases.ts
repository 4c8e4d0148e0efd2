/**
 * The resources the key-pair tests rotate: one per type (and per level for Service Bus and Event Hubs), made
 * in the local cloud, with a way to read their keys as the service holds them (never through kvguard).
 */
import type { KeyPairKind } from "../../emulator/cloud/keyPairs/index.js";
import { keyPairResourceId } from "../../emulator/cloud/keyPairs/index.js";
import { topicId } from "../../emulator/cloud/eventGrid/index.js";
import { localStorageAccountId } from "../../emulator/cloud/storageArm.js";
import type { LocalStack } from "../helpers/localStack.js";
import type { Capture } from "../helpers/rotation.js";

export interface KeyPairCase {
  /** The test's label and the resource's name. */
  label: string;
  name: string;
  /** The local cloud's kind; storage and eventGrid have providers of their own. */
  kind: KeyPairKind | "storage" | "eventGrid";
  entity?: string;
  rule?: string;
  /** The key slots of the pair, as the provider names them (first, second). */
  slots: [string, string];
  /** The key names kvguard's table uses for them (CredentialId). */
  names: [string, string];
}

export const CASES: KeyPairCase[] = [
  { label: "storage", name: "kpstorage", kind: "storage", slots: ["key1", "key2"], names: ["key1", "key2"] },
  { label: "cosmos", name: "kp-cosmos", kind: "cosmos", slots: ["primaryMasterKey", "secondaryMasterKey"], names: ["primary", "secondary"] },
  {
    label: "service bus namespace rule",
    name: "kp-sb",
    kind: "serviceBus",
    rule: "RootManageSharedAccessKey",
    slots: ["primaryKey", "secondaryKey"],
    names: ["primary", "secondary"],
  },
  {
    label: "service bus queue rule",
    name: "kp-sbq",
    kind: "serviceBus",
    entity: "queues/orders",
    rule: "orders-manage",
    slots: ["primaryKey", "secondaryKey"],
    names: ["primary", "secondary"],
  },
  {
    label: "service bus topic rule",
    name: "kp-sbt",
    kind: "serviceBus",
    entity: "topics/news",
    rule: "news-manage",
    slots: ["primaryKey", "secondaryKey"],
    names: ["primary", "secondary"],
  },
  {
    label: "event hubs namespace rule",
    name: "kp-eh",
    kind: "eventHubs",
    rule: "RootManageSharedAccessKey",
    slots: ["primaryKey", "secondaryKey"],
    names: ["primary", "secondary"],
  },
  {
    label: "event hub rule",
    name: "kp-ehh",
    kind: "eventHubs",
    entity: "eventhubs/telemetry",
    rule: "telemetry-manage",
    slots: ["primaryKey", "secondaryKey"],
    names: ["primary", "secondary"],
  },
  { label: "ai services", name: "kp-openai", kind: "cognitive", slots: ["key1", "key2"], names: ["key1", "key2"] },
  { label: "ai search", name: "kp-search", kind: "search", slots: ["primaryKey", "secondaryKey"], names: ["primary", "secondary"] },
  { label: "signalr", name: "kp-signalr", kind: "signalR", slots: ["primaryKey", "secondaryKey"], names: ["primary", "secondary"] },
  { label: "web pubsub", name: "kp-webpubsub", kind: "webPubSub", slots: ["primaryKey", "secondaryKey"], names: ["primary", "secondary"] },
  { label: "event grid topic", name: "kp-topic", kind: "eventGrid", slots: ["key1", "key2"], names: ["key1", "key2"] },
  { label: "app configuration", name: "kp-appconfig", kind: "appConfiguration", slots: ["Primary", "Secondary"], names: ["Primary", "Secondary"] },
];

export const REDIS_CASE: KeyPairCase = {
  label: "redis",
  name: "kp-redis",
  kind: "redis",
  slots: ["primaryKey", "secondaryKey"],
  names: ["primary", "secondary"],
};

/** A copy of a case under another name (each test rotates resources of its own). */
export function named(c: KeyPairCase, suffix: string): KeyPairCase {
  return { ...c, name: c.kind === "storage" ? `${c.name}${suffix}`.replace(/[^a-z0-9]/g, "").slice(0, 24) : `${c.name}-${suffix}` };
}

/** Makes the resource; returns its resource id. */
export async function makeResource(stack: LocalStack, c: KeyPairCase): Promise<string> {
  if (c.kind === "storage") {
    await stack.azurite.accounts.create(c.name);
    return localStorageAccountId(c.name);
  }
  if (c.kind === "eventGrid") {
    await stack.cloud.providers.eventGrid.create({ name: c.name });
    return topicId(c.name);
  }
  const resource = await stack.cloud.providers.keyPairs.create({
    kind: c.kind,
    name: c.name,
    ...(c.entity ? { entity: c.entity } : {}),
    ...(c.rule ? { rule: c.rule } : {}),
  });
  return keyPairResourceId(resource);
}

/** The pair as the service holds it now, remembered as secret values for the leak scan. */
export function keysOf(stack: LocalStack, c: KeyPairCase, capture: Capture): [string, string] {
  let values: [string, string];
  if (c.kind === "storage") {
    const keys = stack.azurite.accounts.get(c.name)!.keys;
    values = [keys[0].value, keys[1].value];
  } else if (c.kind === "eventGrid") {
    const topic = stack.cloud.providers.eventGrid.get(c.name)!;
    values = [topic.key1, topic.key2];
  } else {
    const resource = stack.cloud.providers.keyPairs.get(c.kind, c.name, c.entity, c.rule)!;
    for (const key of Object.values(resource.keys)) capture.values.add(key.value);
    values = [resource.keys[c.slots[0]]!.value, resource.keys[c.slots[1]]!.value];
  }
  for (const v of values) capture.values.add(v);
  return values;
}
