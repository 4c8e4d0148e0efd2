/**
 * @module The local cloud's key-based resources (Azure Cache for Redis, Cosmos DB accounts, Service Bus and
 * Event Hubs authorization rules, Azure AI services accounts, AI Search services, SignalR and Web PubSub,
 * App Configuration stores): each with its access keys, named as its ARM API names them. Keys persist in
 * `keypairs.json` of the state folder (as the local Key Vault keeps its values: a development tool). A Redis
 * cache is served by a real `redis-server` (redisServer.ts) holding its two keys.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { LocalKeyVault } from "../../localKeyVault.js";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../../localKeyVault.js";
import { CloudError } from "../host.js";
import { StateFile } from "../stateFile.js";
import { RedisServer } from "./redisServer.js";

export const KINDS = ["redis", "cosmos", "serviceBus", "eventHubs", "cognitive", "search", "signalR", "webPubSub", "appConfiguration"] as const;
export type Kind = (typeof KINDS)[number];

/** Each kind's ARM resource type and the key slots its listKeys answers with. */
export const KIND_INFO: Record<Kind, { type: string; slots: readonly string[] }> = {
  redis: { type: "Microsoft.Cache/redis", slots: ["primaryKey", "secondaryKey"] },
  cosmos: {
    type: "Microsoft.DocumentDB/databaseAccounts",
    slots: ["primaryMasterKey", "secondaryMasterKey", "primaryReadonlyMasterKey", "secondaryReadonlyMasterKey"],
  },
  serviceBus: { type: "Microsoft.ServiceBus/namespaces", slots: ["primaryKey", "secondaryKey"] },
  eventHubs: { type: "Microsoft.EventHub/namespaces", slots: ["primaryKey", "secondaryKey"] },
  cognitive: { type: "Microsoft.CognitiveServices/accounts", slots: ["key1", "key2"] },
  search: { type: "Microsoft.Search/searchServices", slots: ["primaryKey", "secondaryKey"] },
  signalR: { type: "Microsoft.SignalRService/signalR", slots: ["primaryKey", "secondaryKey"] },
  webPubSub: { type: "Microsoft.SignalRService/webPubSub", slots: ["primaryKey", "secondaryKey"] },
  appConfiguration: { type: "Microsoft.AppConfiguration/configurationStores", slots: ["Primary", "Secondary", "Primary Read Only", "Secondary Read Only"] },
};

export interface StoredKey {
  value: string;
  /** App Configuration's key id (`Id=` of its connection strings), new with each value. */
  id?: string;
  /** ISO-8601, on the vault clock. */
  lastModified: string;
}

export interface KeyResource {
  kind: Kind;
  name: string;
  /** Service Bus / Event Hubs: the authorization rule, and the entity (`queues/q`, `topics/t`, `eventhubs/h`) or none for the namespace. */
  rule?: string;
  entity?: string;
  rights?: string[];
  /** Azure AI services: `OpenAI`, `AIServices`, `CognitiveServices`... */
  accountKind?: string;
  keys: Record<string, StoredKey>;
}

export interface NewKeyResource {
  kind: Kind;
  name: string;
  rule?: string;
  entity?: string;
  rights?: string[];
  accountKind?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9-]{1,62}$/;
const ENTITY = /^(queues|topics|eventhubs)\/[A-Za-z0-9][A-Za-z0-9._-]{0,259}$/;

/** A key as each service makes them: 32 random bytes (44 base64 characters; Cognitive Services: 32 hex). */
function newKey(kind: Kind): string {
  if (kind === "cognitive") return randomBytes(16).toString("hex");
  if (kind === "cosmos") return randomBytes(64).toString("base64");
  return randomBytes(32).toString("base64");
}

/** The map key of a resource: kind, name and (for rules) the entity and rule, lowercase as ARM matches. */
export function resourceKey(kind: Kind, name: string, entity?: string, rule?: string): string {
  return [kind, name, entity ?? "", rule ?? ""].join("|").toLowerCase();
}

export function resourceId(resource: Pick<KeyResource, "kind" | "name" | "entity" | "rule">): string {
  const base = `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}/providers/${KIND_INFO[resource.kind].type}/${resource.name}`;
  if (resource.rule === undefined) return base;
  return `${base}${resource.entity ? `/${resource.entity}` : ""}/authorizationRules/${resource.rule}`;
}

export class LocalKeyPairs {
  readonly #resources = new Map<string, KeyResource>();
  readonly #redis = new Map<string, RedisServer>();
  readonly #file: StateFile<{ resources: KeyResource[] }>;
  /** The cloud's URL, known once it listens: data-plane endpoints are under it. */
  baseUrl = "https://127.0.0.1";

  constructor(readonly kv: LocalKeyVault) {
    this.#file = new StateFile(kv.options.stateDir, "keypairs.json");
  }

  async load(): Promise<void> {
    for (const resource of this.#file.read()?.resources ?? []) await this.#serve(resource);
  }

  list(): KeyResource[] {
    return [...this.#resources.values()];
  }

  get(kind: Kind, name: string, entity?: string, rule?: string): KeyResource | undefined {
    return this.#resources.get(resourceKey(kind, name, entity, rule));
  }

  /** The port of a cache's redis-server. */
  redisPort(name: string): number | undefined {
    return this.#redis.get(name.toLowerCase())?.port;
  }

  /**
   * Adds a resource with new keys (an authorization rule adds its namespace too). Service Bus and Event Hubs
   * namespaces come with `RootManageSharedAccessKey` (Listen, Send, Manage), as Azure makes them.
   */
  async create(input: NewKeyResource): Promise<KeyResource> {
    if (!KINDS.includes(input.kind)) throw new CloudError(400, "BadRequest", `kind must be one of ${KINDS.join(", ")}.`);
    if (!NAME.test(input.name)) throw new CloudError(400, "BadRequest", `"${input.name}" is not a resource name (2-63 letters, digits and hyphens).`);
    const messaging = input.kind === "serviceBus" || input.kind === "eventHubs";
    if (!messaging && (input.rule !== undefined || input.entity !== undefined))
      throw new CloudError(400, "BadRequest", "rule and entity are for serviceBus and eventHubs only.");
    if (input.entity !== undefined && !ENTITY.test(input.entity))
      throw new CloudError(400, "BadRequest", `entity "${input.entity}" is not queues/<name>, topics/<name> or eventhubs/<name>.`);
    if (messaging && input.entity !== undefined && input.entity.startsWith("eventhubs/") !== (input.kind === "eventHubs")) {
      throw new CloudError(400, "BadRequest", "Event Hubs entities are eventhubs/<name>; Service Bus entities are queues/<name> or topics/<name>.");
    }
    const rule = messaging ? (input.rule ?? "RootManageSharedAccessKey") : undefined;
    if (this.get(input.kind, input.name, input.entity, rule))
      throw new CloudError(409, "Conflict", `${resourceId({ ...input, ...(rule ? { rule } : {}) })} exists already.`);
    if (
      messaging &&
      !this.get(input.kind, input.name, undefined, "RootManageSharedAccessKey") &&
      !(input.entity === undefined && rule === "RootManageSharedAccessKey")
    ) {
      await this.create({ kind: input.kind, name: input.name });
    }
    const now = new Date(this.kv.clock.nowMs()).toISOString();
    const keys = Object.fromEntries(
      KIND_INFO[input.kind].slots.map((slot) => [
        slot,
        { value: newKey(input.kind), lastModified: now, ...(input.kind === "appConfiguration" ? { id: newKeyId(slot) } : {}) },
      ]),
    );
    const resource: KeyResource = {
      kind: input.kind,
      name: input.name,
      ...(rule !== undefined ? { rule, rights: input.rights ?? ["Listen", "Send", "Manage"] } : {}),
      ...(input.entity !== undefined ? { entity: input.entity } : {}),
      ...(input.kind === "cognitive" ? { accountKind: input.accountKind ?? "OpenAI" } : {}),
      keys,
    };
    await this.#serve(resource);
    this.#save();
    return resource;
  }

  /** Replaces one key with a new value (Service Bus and Event Hubs also take one given); the old one is refused from now on. */
  async regenerate(resource: KeyResource, slot: string, given?: string): Promise<StoredKey> {
    const old = resource.keys[slot];
    if (!old) throw new CloudError(400, "BadRequest", `${slot} is not a key of ${resourceId(resource)}.`);
    const next: StoredKey = {
      value: given ?? newKey(resource.kind),
      lastModified: new Date(this.kv.clock.nowMs()).toISOString(),
      ...(old.id ? { id: newKeyId(slot) } : {}),
    };
    if (resource.kind === "redis") await this.#redis.get(resource.name.toLowerCase())!.replace(old.value, next.value);
    resource.keys[slot] = next;
    this.#save();
    return next;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#redis.values()].map((r) => r.stop()));
    this.#redis.clear();
  }

  async #serve(resource: KeyResource): Promise<void> {
    if (resource.kind === "redis") {
      const server = await RedisServer.start(this.kv.tls, this.kv.workDir, {
        primary: resource.keys.primaryKey!.value,
        secondary: resource.keys.secondaryKey!.value,
      });
      this.#redis.set(resource.name.toLowerCase(), server);
    }
    this.#resources.set(resourceKey(resource.kind, resource.name, resource.entity, resource.rule), resource);
  }

  #save(): void {
    this.#file.write({ resources: this.list() });
  }
}

/** App Configuration key ids look like `AbCd-l0-s0:<random>`; the part after the colon changes with the key. */
function newKeyId(slot: string): string {
  const index = ["Primary", "Secondary", "Primary Read Only", "Secondary Read Only"].indexOf(slot);
  return `${randomUUID().slice(0, 4)}-l${index >= 2 ? 1 : 0}-s${index % 2}:${randomBytes(12).toString("base64url")}`;
}
