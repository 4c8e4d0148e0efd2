/**
 * @module Event Grid namespaces of the local cloud: each with its access keys (off with `disableLocalAuth`),
 * who holds EventGrid Data Sender, and its topics (CloudEvents 1.0 only, as namespace topics are). A topic
 * delivers what it accepts to webhook subscriptions with the same machinery as custom topics (handshake,
 * retries, dead letters under `deadletter/namespaces/<namespace>/<topic>/`). Namespaces persist in
 * `eventgrid-namespaces.json` of the state folder.
 */
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { EventDelivery, type SubscriptionView } from "../../events/delivery.js";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID, type LocalKeyVault } from "../../localKeyVault.js";
import { CloudError } from "../host.js";
import { StateFile } from "../stateFile.js";
import type { TopicEvent } from "./events.js";
import { topicFormat, type AcceptedEvent } from "./localEventGrid.js";
import { newTopicKey, TOPIC_NAME } from "./topic.js";

const KEPT_EVENTS = 1000;

export interface Namespace {
  name: string;
  key1: string;
  key2: string;
  /** Keys refused: Entra ID only. */
  disableLocalAuth: boolean;
  /** Object ids holding EventGrid Data Sender on the namespace; empty: every Entra caller. */
  dataSenders: string[];
  topics: { name: string; subscriptions: unknown[] }[];
}

interface ServedTopic {
  namespace: Namespace;
  name: string;
  bus: EventEmitter<{ event: [TopicEvent] }>;
  delivery: EventDelivery<TopicEvent>;
  accepted: AcceptedEvent[];
}

export function namespaceId(namespace: string, topic?: string): string {
  const id = `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}/providers/Microsoft.EventGrid/namespaces/${namespace}`;
  return topic ? `${id}/topics/${topic}` : id;
}

function nameProblem(kind: string, name: string): string | undefined {
  return TOPIC_NAME.test(name) ? undefined : `${kind} name must be between 3 and 50 characters in length, letters, digits and '-' only.`;
}

export class LocalNamespaces {
  readonly #namespaces = new Map<string, Namespace>();
  readonly #topics = new Map<string, ServedTopic>();
  readonly #file: StateFile<{ namespaces: Namespace[] }>;
  baseUrl = "https://127.0.0.1";

  constructor(readonly kv: LocalKeyVault) {
    this.#file = new StateFile(kv.options.stateDir, "eventgrid-namespaces.json");
  }

  async load(): Promise<void> {
    for (const namespace of this.#file.read()?.namespaces ?? []) {
      this.#namespaces.set(namespace.name.toLowerCase(), namespace);
      for (const topic of namespace.topics) await this.#serve(namespace, topic.name, topic.subscriptions);
    }
  }

  /** The namespace's HTTP endpoint (Azure's `https://<namespace>.<region>-1.eventgrid.azure.net`): a path here. */
  endpointOf(namespace: Namespace): string {
    return `${this.baseUrl}/eventgrid/namespaces/${namespace.name}`;
  }

  get(name: string): Namespace | undefined {
    return this.#namespaces.get(name.toLowerCase());
  }

  list(): Namespace[] {
    return [...this.#namespaces.values()];
  }

  create(input: { name: string; disableLocalAuth?: boolean; dataSenders?: string[] }): Namespace {
    const problem = nameProblem("Namespace", input.name);
    if (problem) throw new CloudError(400, "BadRequest", problem);
    if (this.get(input.name)) throw new CloudError(409, "Conflict", `Namespace '${input.name}' already exists.`);
    const namespace: Namespace = {
      name: input.name,
      key1: newTopicKey(),
      key2: newTopicKey(),
      disableLocalAuth: input.disableLocalAuth ?? false,
      dataSenders: input.dataSenders ?? [],
      topics: [],
    };
    this.#namespaces.set(namespace.name.toLowerCase(), namespace);
    this.save();
    return namespace;
  }

  update(namespace: Namespace, changes: Partial<Pick<Namespace, "disableLocalAuth" | "dataSenders">>): void {
    Object.assign(namespace, changes);
    this.save();
  }

  async createTopic(namespace: Namespace, name: string): Promise<void> {
    const problem = nameProblem("Topic", name);
    if (problem) throw new CloudError(400, "BadRequest", problem);
    if (this.hasTopic(namespace, name)) throw new CloudError(409, "Conflict", `Namespace '${namespace.name}' already has a topic '${name}'.`);
    namespace.topics.push({ name, subscriptions: [] });
    await this.#serve(namespace, name, []);
    this.save();
  }

  async deleteTopic(namespace: Namespace, name: string): Promise<boolean> {
    const served = this.#topics.get(this.#key(namespace, name));
    if (!served) return false;
    this.#topics.delete(this.#key(namespace, name));
    namespace.topics = namespace.topics.filter((t) => t.name.toLowerCase() !== name.toLowerCase());
    await served.delivery.close();
    this.save();
    return true;
  }

  hasTopic(namespace: Namespace, name: string): boolean {
    return this.#topics.has(this.#key(namespace, name));
  }

  /** Hands accepted events to the topic's subscriptions. */
  publish(namespace: Namespace, topic: string, events: TopicEvent[], auth: AcceptedEvent["auth"]): void {
    const served = this.#served(namespace, topic);
    const acceptedAt = new Date(this.kv.clock.nowMs()).toISOString();
    for (const event of events) {
      served.accepted.push({ acceptedAt, auth, event: event.cloudEvent });
      served.bus.emit("event", event);
    }
    served.accepted.splice(0, Math.max(0, served.accepted.length - KEPT_EVENTS));
  }

  accepted(namespace: Namespace, topic: string): AcceptedEvent[] {
    return this.#served(namespace, topic).accepted;
  }

  subscriptions(namespace: Namespace, topic: string): SubscriptionView[] {
    return this.#served(namespace, topic).delivery.list();
  }

  /** Creates or updates a push subscription (webhook) of the topic, after the validation handshake. */
  async subscribe(namespace: Namespace, topic: string, input: unknown): Promise<{ created: boolean; view: SubscriptionView }> {
    const served = this.#served(namespace, topic);
    const result = await served.delivery.create(input, {
      vaults: [],
      validationBaseUrl: this.baseUrl,
      topic: namespaceId(namespace.name, served.name),
      validationUrl: (name, code) =>
        `${this.baseUrl}/management/eventgrid/namespaces/${encodeURIComponent(namespace.name)}/topics/${encodeURIComponent(served.name)}/subscriptions/${encodeURIComponent(name)}/validate/${code}`,
    });
    this.save();
    return result;
  }

  validateManually(namespace: Namespace, topic: string, name: string, code: string): boolean {
    return this.#served(namespace, topic).delivery.validateManually(name, code);
  }

  save(): void {
    for (const namespace of this.#namespaces.values()) {
      namespace.topics = namespace.topics.map((t) => ({ name: t.name, subscriptions: this.#topics.get(this.#key(namespace, t.name))!.delivery.snapshot() }));
    }
    this.#file.write({ namespaces: this.list() });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#topics.values()].map((t) => t.delivery.close()));
  }

  #key(namespace: Namespace, topic: string): string {
    return `${namespace.name.toLowerCase()}/${topic.toLowerCase()}`;
  }

  #served(namespace: Namespace, topic: string): ServedTopic {
    const served = this.#topics.get(this.#key(namespace, topic));
    if (!served) throw new CloudError(404, "NotFound", `Namespace '${namespace.name}' has no topic '${topic}'.`);
    return served;
  }

  async #serve(namespace: Namespace, name: string, subscriptions: unknown[]): Promise<void> {
    const bus = new EventEmitter<{ event: [TopicEvent] }>();
    const delivery = new EventDelivery(
      bus,
      {
        deadLetterDir: join(this.kv.workDir, "deadletter", "namespaces", namespace.name, name),
        ca: this.kv.tls.caPem,
        now: () => this.kv.clock.nowMs(),
      },
      topicFormat("CloudEventSchemaV1_0"),
    );
    await delivery.load(subscriptions);
    this.#topics.set(this.#key(namespace, name), { namespace, name, bus, delivery, accepted: [] });
  }
}
