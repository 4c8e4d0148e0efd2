/**
 * @module The local Event Grid: custom topics that accept publishes and deliver them to webhook
 * subscriptions with the local Key Vault's delivery machinery (validation handshake, Event Grid's retry
 * schedule, dead letters under `deadletter/topics/<topic>/` of the work folder, type and subject filters).
 * A topic whose input is CloudEvents delivers CloudEvents only, as Event Grid does.
 */
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { z } from "zod";
import { EventDelivery, type EventFormat, type SubscriptionView } from "../../events/delivery.js";
import { matchesTypeAndSubject, parseSubscription, subscriptionInput } from "../../events/subscription.js";
import { KvError } from "../../http/errors.js";
import type { LocalKeyVault } from "../../localKeyVault.js";
import { CloudError } from "../host.js";
import { StateFile } from "../stateFile.js";
import type { PublishAuth } from "./auth.js";
import type { TopicEvent } from "./events.js";
import { newTopicKey, topicEndpoint, topicId, topicNameProblem, type InputSchema, type Topic } from "./topic.js";

/** Accepted events kept per topic for the admin API's read-back. */
const KEPT_EVENTS = 1000;

/** A custom topic's subscription: Key Vault's rules without its event type list and vault filter. */
const topicSubscriptionInput = subscriptionInput.omit({ vaults: true }).extend({
  includedEventTypes: z.array(z.string().min(1).max(256)).min(1).max(25).optional(),
});

/** How a topic's events are filtered and delivered (namespace topics use the CloudEvents one). */
export function topicFormat(schema: InputSchema): EventFormat<TopicEvent> {
  return {
    parse(input) {
      const withDefault =
        input && typeof input === "object" && !("schema" in input)
          ? { ...input, schema: schema === "CloudEventSchemaV1_0" ? schema : "EventGridSchema" }
          : input;
      const sub = parseSubscription(withDefault, topicSubscriptionInput);
      if (schema === "CloudEventSchemaV1_0" && sub.schema !== "CloudEventSchemaV1_0") {
        throw new KvError(
          400,
          "BadParameter",
          "Invalid subscription: schema: a topic whose input schema is CloudEventSchemaV1_0 delivers CloudEventSchemaV1_0 only.",
        );
      }
      return sub;
    },
    matches: (sub, event) => matchesTypeAndSubject(sub, event.eventType, event.subject),
    eventGrid: (event) => event.eventGrid!,
    cloudEvent: (event) => event.cloudEvent,
  };
}

export interface AcceptedEvent {
  acceptedAt: string;
  auth: PublishAuth["kind"];
  event: Record<string, unknown>;
}

interface ServedTopic {
  topic: Topic;
  bus: EventEmitter<{ event: [TopicEvent] }>;
  delivery: EventDelivery<TopicEvent>;
  accepted: AcceptedEvent[];
}

export type NewTopic = Partial<Omit<Topic, "name" | "subscriptions">> & { name: string };

export class LocalEventGrid {
  readonly #topics = new Map<string, ServedTopic>();
  readonly #file: StateFile<{ topics: Topic[] }>;
  /** The cloud's URL, known once it listens: endpoints and validation URLs are under it. */
  baseUrl = "https://127.0.0.1";

  constructor(readonly kv: LocalKeyVault) {
    this.#file = new StateFile(kv.options.stateDir, "eventgrid.json");
  }

  /** Serves the saved topics; their subscriptions come back without a handshake, as the local Key Vault's do. */
  async load(): Promise<void> {
    for (const topic of this.#file.read()?.topics ?? []) await this.#serve(topic);
  }

  list(): Topic[] {
    return [...this.#topics.values()].map((s) => s.topic);
  }

  get(name: string): Topic | undefined {
    return this.#topics.get(name.toLowerCase())?.topic;
  }

  endpointOf(topic: Topic): string {
    return topicEndpoint(this.baseUrl, topic.name);
  }

  /** Creates a topic; 409 when the name is taken, 400 for a name Event Grid refuses. */
  async create(input: NewTopic): Promise<Topic> {
    const problem = topicNameProblem(input.name);
    if (problem) throw new CloudError(400, "BadRequest", problem);
    if (this.get(input.name)) throw new CloudError(409, "Conflict", "Topic with the specified name already exists. Choose a different topic name.");
    const topic: Topic = {
      location: "local",
      tags: {},
      inputSchema: "EventGridSchema",
      key1: newTopicKey(),
      key2: newTopicKey(),
      disableLocalAuth: false,
      dataSenders: [],
      ...input,
      subscriptions: [],
    };
    await this.#serve(topic);
    this.save();
    return topic;
  }

  /** Changes a topic's settings; its input schema is fixed once created, as in Event Grid. */
  update(topic: Topic, changes: Partial<Pick<Topic, "tags" | "disableLocalAuth" | "dataSenders" | "managementAccess" | "inputSchema">>): void {
    if (changes.inputSchema !== undefined && changes.inputSchema !== topic.inputSchema) {
      throw new CloudError(400, "BadRequest", `The input schema of topic '${topic.name}' is ${topic.inputSchema} and cannot be changed.`);
    }
    Object.assign(topic, changes);
    this.save();
  }

  async delete(name: string): Promise<boolean> {
    const served = this.#topics.get(name.toLowerCase());
    if (!served) return false;
    this.#topics.delete(name.toLowerCase());
    await served.delivery.close();
    this.save();
    return true;
  }

  /** Replaces one access key; the old one is refused from then on. */
  regenerateKey(topic: Topic, keyName: "key1" | "key2"): void {
    topic[keyName] = newTopicKey();
    this.save();
  }

  /** Hands accepted events to the topic's subscriptions. */
  publish(topic: Topic, events: TopicEvent[], auth: PublishAuth): void {
    const served = this.#served(topic.name);
    const acceptedAt = new Date(this.kv.clock.nowMs()).toISOString();
    for (const event of events) {
      served.accepted.push({ acceptedAt, auth: auth.kind, event: event.eventGrid ? { ...event.eventGrid } : event.cloudEvent });
      served.bus.emit("event", event);
    }
    served.accepted.splice(0, Math.max(0, served.accepted.length - KEPT_EVENTS));
  }

  accepted(topic: Topic): AcceptedEvent[] {
    return this.#served(topic.name).accepted;
  }

  delivery(topic: Topic): EventDelivery<TopicEvent> {
    return this.#served(topic.name).delivery;
  }

  /** Creates or updates a subscription of the topic, after Event Grid's validation handshake. */
  async subscribe(topic: Topic, input: unknown): Promise<{ created: boolean; view: SubscriptionView }> {
    const result = await this.delivery(topic).create(input, {
      vaults: [],
      validationBaseUrl: this.baseUrl,
      topic: topicId(topic.name),
      validationUrl: (name, code) =>
        `${this.baseUrl}/management/eventgrid/topics/${encodeURIComponent(topic.name)}/subscriptions/${encodeURIComponent(name)}/validate/${code}`,
    });
    this.save();
    return result;
  }

  unsubscribe(topic: Topic, name: string): boolean {
    const deleted = this.delivery(topic).delete(name);
    if (deleted) this.save();
    return deleted;
  }

  save(): void {
    for (const served of this.#topics.values()) served.topic.subscriptions = served.delivery.snapshot();
    this.#file.write({ topics: this.list() });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#topics.values()].map((s) => s.delivery.close()));
  }

  #served(name: string): ServedTopic {
    const served = this.#topics.get(name.toLowerCase());
    if (!served) throw new CloudError(404, "NotFound", `No topic named ${name}.`);
    return served;
  }

  async #serve(topic: Topic): Promise<void> {
    const bus = new EventEmitter<{ event: [TopicEvent] }>();
    const delivery = new EventDelivery(
      bus,
      { deadLetterDir: join(this.kv.workDir, "deadletter", "topics", topic.name), ca: this.kv.tls.caPem, now: () => this.kv.clock.nowMs() },
      topicFormat(topic.inputSchema),
    );
    await delivery.load(topic.subscriptions);
    this.#topics.set(topic.name.toLowerCase(), { topic, bus, delivery, accepted: [] });
  }
}
