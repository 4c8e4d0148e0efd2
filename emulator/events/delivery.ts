/**
 * @module Event Grid-style push delivery of the emulator's Microsoft.KeyVault.* events to webhook
 * subscriptions: validation handshake on create (Event Grid schema or CloudEvents v1.0), filters, one event
 * per request, at-least-once with Event Grid's retry schedule and policy, dead letters as JSON lines.
 *
 * Delivery never blocks the request that raised an event: events are queued when published and sent from a
 * timer. Pending retries live in memory only: they do not survive a restart (Event Grid keeps them; the
 * emulator persists the subscriptions, not the queue).
 *
 * The events are Key Vault's by default; an `EventFormat` lets the local cloud's Event Grid topics deliver
 * their own publishers' events with the same machinery.
 */
import { randomUUID } from "node:crypto";
import { setMaxListeners, type EventEmitter } from "node:events";
import { STATUS_CODES } from "node:http";
import type { KeyVaultEvent, VaultRef } from "./bus.js";
import { EVENT_GRID_ORIGIN, toCloudEvent, validationEvent, validationResponseCode } from "./cloudEvents.js";
import { DeadLetterWriter, type DeadLetterFields, type DeadLetterReason } from "./deadLetter.js";
import { endpointBaseUrl, isLoopback, matches, parseSubscription, retryDelayMs, type Subscription } from "./subscription.js";
import { callWebhook, WEBHOOK_TIMEOUT_MS, type WebhookAnswer } from "./webhook.js";
import { KvError } from "../http/errors.js";

export type { SubscriptionInput, Subscription } from "./subscription.js";

export interface DeliveryOptions {
  /** Dead letters go to `<deadLetterDir>/<subscription>.jsonl`. */
  deadLetterDir: string;
  /** The emulator's CA (PEM), trusted for https endpoints on loopback. */
  ca?: string;
  /** The emulator's clock (ms), for publish and dead-letter times; default: real time. */
  now?: () => number;
  /** How long a webhook has to answer a validation request, and to complete a manual validation. Default 30 s. */
  handshakeTimeoutMs?: number;
  /** How long a webhook has to answer a delivery. Default 30 s. */
  attemptTimeoutMs?: number;
  /** How long `close()` waits for attempts in flight before cutting them off. Default 2 s. */
  closeTimeoutMs?: number;
}

/** What creating a subscription needs from the emulator around it. */
export interface CreateContext {
  /** The vaults served: the vault filter must name some of them. */
  vaults: VaultRef[];
  /** Base URL (`https://127.0.0.1:port`) of the admin API, for the handshake's `validationUrl`. */
  validationBaseUrl: string;
  /** The validation event's `topic`; default: the filtered vault's resource id, else the subscription's. */
  topic?: string;
  /** The handshake's `validationUrl`; default: `/management/subscriptions/{name}/validate/{code}` on `validationBaseUrl`. */
  validationUrl?: (name: string, code: string) => string;
}

/** An event in the Event Grid schema, with the versions its delivery headers carry. */
export interface EventGridShaped {
  metadataVersion: string;
  dataVersion: string;
}

/** How a delivery reads subscriptions and writes the events it carries in each delivery schema. */
export interface EventFormat<E> {
  /** Validates a subscription; throws 400 BadParameter naming the first problem. */
  parse(input: unknown): Subscription;
  matches(sub: Subscription, event: E): boolean;
  eventGrid(event: E): EventGridShaped;
  cloudEvent(event: E): object;
}

/** Key Vault's events, the delivery's default. */
export const keyVaultEventFormat: EventFormat<KeyVaultEvent> = {
  parse: parseSubscription,
  matches,
  eventGrid: (event) => event,
  cloudEvent: toCloudEvent,
};

export interface DeliveryCounters {
  /** Events acknowledged with 200-204. */
  delivered: number;
  /** Delivery attempts after the first, summed over events. */
  retried: number;
  deadLettered: number;
  /** Events queued or in flight. */
  pending: number;
}

export interface SubscriptionView {
  name: string;
  /** The endpoint without its query string, as Event Grid shows it (the query may hold a key). */
  endpointBaseUrl: string;
  schema: Subscription["schema"];
  includedEventTypes: string[] | null;
  subjectBeginsWith: string;
  subjectEndsWith: string;
  isSubjectCaseSensitive: boolean;
  vaults: string[] | null;
  maxDeliveryAttempts: number;
  eventTimeToLiveMinutes: number;
  retryBackoff: Subscription["retryBackoff"];
  hasEndpointCa: boolean;
  provisioningState: "Succeeded";
  deadLetterFile: string;
  counters: DeliveryCounters;
}

interface SubscriptionState<E> {
  config: Subscription;
  counters: Omit<DeliveryCounters, "pending">;
  pending: Set<Pending<E>>;
  deleted: boolean;
}

interface Pending<E> {
  state: SubscriptionState<E>;
  event: E;
  attempts: number;
  /** Emulator time at publish. */
  publishMs: number;
  /** Real time after which the event's time to live is over. */
  expiresAtMs: number;
  /** Emulator time minus real time, at publish. */
  offsetMs: number;
  timer?: NodeJS.Timeout;
  expireOnTimer?: boolean;
  last?: { outcome: string; status: number; atMs: number };
}

interface ManualValidation {
  name: string;
  done: boolean;
  notify?: () => void;
}

/** Webhook answers Event Grid does not retry: the event is dead-lettered at once. */
const NO_RETRY: Record<number, DeadLetterReason> = {
  400: "UndeliverableDueToHttpBadRequest",
  401: "UndeliverableDueToHttpUnauthorized",
  403: "UndeliverableDueToHttpForbidden",
  413: "UndeliverableDueToHttpRequestEntityTooLarge",
};

/** .NET `HttpStatusCode` names, as Event Grid reports a last delivery outcome; 408 reads as a time-out. */
const OUTCOME_NAMES: Record<number, string> = {
  408: "TimedOut",
  413: "RequestEntityTooLarge",
  414: "RequestUriTooLong",
  429: "TooManyRequests",
};

function outcomeName(status: number): string {
  return OUTCOME_NAMES[status] ?? (STATUS_CODES[status] ?? `Http${status}`).replace(/[^A-Za-z0-9]+/g, "");
}

function isDelivered(status: number): boolean {
  return status >= 200 && status <= 204;
}

export class EventDelivery<E = KeyVaultEvent> {
  readonly #subs = new Map<string, SubscriptionState<E>>();
  readonly #pending = new Set<Pending<E>>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #manual = new Map<string, ManualValidation>();
  readonly #idleWaiters = new Set<() => void>();
  readonly #abort = new AbortController();
  readonly #deadLetters: DeadLetterWriter;
  readonly #listener = (event: E) => this.#onEvent(event);
  #closed = false;

  constructor(
    readonly bus: EventEmitter<{ event: [E] }>,
    readonly options: DeliveryOptions,
    readonly format: EventFormat<E> = keyVaultEventFormat as unknown as EventFormat<E>,
  ) {
    this.#deadLetters = new DeadLetterWriter(options.deadLetterDir);
    // Each delivery in flight listens for close: a burst of events (a topic's batch) has many at once.
    setMaxListeners(0, this.#abort.signal);
    bus.on("event", this.#listener);
  }

  /**
   * Creates a subscription, or updates the one with that name (as an ARM PUT does). The endpoint is
   * validated when it is new or its endpoint or schema changed; a failed handshake throws 400.
   */
  async create(input: unknown, ctx: CreateContext): Promise<{ created: boolean; view: SubscriptionView }> {
    if (this.#closed) throw new KvError(503, "ServiceUnavailable", "The local Key Vault is closing.");
    const config = this.format.parse(input);
    if (config.vaults) {
      const served = ctx.vaults.map((v) => v.name);
      const unknown = config.vaults.find((name) => !served.some((s) => s.toLowerCase() === name.toLowerCase()));
      if (unknown !== undefined) {
        throw new KvError(400, "BadParameter", `Invalid subscription: vaults: no vault named ${unknown} is served here (served: ${served.join(", ")}).`);
      }
    }
    const key = config.name.toLowerCase();
    const existing = this.#subs.get(key);
    const revalidate =
      !existing || existing.config.endpoint !== config.endpoint || existing.config.schema !== config.schema || existing.config.endpointCa !== config.endpointCa;
    if (revalidate) await this.#handshake(config, ctx);
    const current = this.#subs.get(key);
    if (current) {
      current.config = config;
      return { created: false, view: this.#view(current) };
    }
    const state: SubscriptionState<E> = {
      config,
      counters: { delivered: 0, retried: 0, deadLettered: 0 },
      pending: new Set(),
      deleted: false,
    };
    this.#subs.set(key, state);
    return { created: !existing, view: this.#view(state) };
  }

  list(): SubscriptionView[] {
    return [...this.#subs.values()].map((s) => this.#view(s));
  }

  get(name: string): SubscriptionView | undefined {
    const state = this.#subs.get(name.toLowerCase());
    return state && this.#view(state);
  }

  /** Removes a subscription; its undelivered events are dropped, as Event Grid drops them. */
  delete(name: string): boolean {
    const state = this.#subs.get(name.toLowerCase());
    if (!state) return false;
    this.#subs.delete(name.toLowerCase());
    state.deleted = true;
    for (const p of state.pending) if (p.timer) this.#drop(p);
    return true;
  }

  /** The `validationUrl` GET of a manual handshake; true when it completes one in progress. */
  validateManually(name: string, code: string): boolean {
    const pending = this.#manual.get(code);
    if (!pending || pending.name.toLowerCase() !== name.toLowerCase()) return false;
    pending.done = true;
    pending.notify?.();
    return true;
  }

  /** The subscriptions, without runtime state, for state.json. */
  snapshot(): Subscription[] {
    return [...this.#subs.values()].map((s) => structuredClone(s.config));
  }

  /** Restores saved subscriptions without a handshake: they were validated when created. */
  load(subscriptions: unknown[]): Promise<void> {
    const restored: Subscription[] = [];
    for (const [i, saved] of subscriptions.entries()) {
      try {
        restored.push(this.format.parse(saved));
      } catch (error) {
        return Promise.reject(new Error(`saved subscription #${i + 1} is invalid: ${(error as Error).message}`, { cause: error }));
      }
    }
    for (const config of restored) {
      this.#subs.set(config.name.toLowerCase(), {
        config,
        counters: { delivered: 0, retried: 0, deadLettered: 0 },
        pending: new Set(),
        deleted: false,
      });
    }
    return Promise.resolve();
  }

  /** Resolves once nothing is queued, in flight or being written (rejects after `timeoutMs` if given). */
  idle(timeoutMs?: number): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.#idleWaiters.delete(done);
        resolve();
      };
      this.#idleWaiters.add(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#idleWaiters.delete(done);
          reject(new Error(`event delivery still busy after ${timeoutMs} ms: ${this.#pending.size} event(s) pending`));
        }, timeoutMs);
      }
    });
  }

  /** Stops retry timers (queued events are dropped) and waits, bounded, for attempts in flight. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.bus.off("event", this.#listener);
    for (const p of [...this.#pending]) if (p.timer) this.#drop(p);
    const bound = this.options.closeTimeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, bound)));
    await Promise.race([Promise.allSettled([...this.#inFlight]), timedOut]);
    clearTimeout(timer);
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight]);
    await this.#deadLetters.flush();
    for (const p of [...this.#pending]) this.#drop(p);
    this.#checkIdle();
  }

  #view(state: SubscriptionState<E>): SubscriptionView {
    const c = state.config;
    return {
      name: c.name,
      endpointBaseUrl: endpointBaseUrl(c.endpoint),
      schema: c.schema,
      includedEventTypes: c.includedEventTypes ?? null,
      subjectBeginsWith: c.subjectBeginsWith ?? "",
      subjectEndsWith: c.subjectEndsWith ?? "",
      isSubjectCaseSensitive: c.isSubjectCaseSensitive,
      vaults: c.vaults ?? null,
      maxDeliveryAttempts: c.maxDeliveryAttempts,
      eventTimeToLiveMinutes: c.eventTimeToLiveMinutes,
      retryBackoff: { ...c.retryBackoff },
      hasEndpointCa: c.endpointCa !== undefined,
      provisioningState: "Succeeded",
      deadLetterFile: this.#deadLetters.fileFor(c.name),
      counters: { ...state.counters, pending: state.pending.size },
    };
  }

  #trustedCas(config: Subscription): string[] {
    const cas: string[] = [];
    if (this.options.ca && isLoopback(new URL(config.endpoint).hostname)) cas.push(this.options.ca);
    if (config.endpointCa) cas.push(config.endpointCa);
    return cas;
  }

  // ---- handshake ----

  async #handshake(config: Subscription, ctx: CreateContext): Promise<void> {
    const failure = config.schema === "CloudEventSchemaV1_0" ? await this.#cloudEventsHandshake(config) : await this.#eventGridHandshake(config, ctx);
    if (failure) {
      throw new KvError(400, "WebhookValidationHandshakeFailed", `Webhook validation handshake failed for ${endpointBaseUrl(config.endpoint)}: ${failure}`);
    }
  }

  /** Returns why the handshake failed, or undefined when the endpoint proved it wants the events. */
  async #eventGridHandshake(config: Subscription, ctx: CreateContext): Promise<string | undefined> {
    const timeoutMs = this.options.handshakeTimeoutMs ?? WEBHOOK_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const code = randomUUID();
    const validationUrl =
      ctx.validationUrl?.(config.name, code) ?? `${ctx.validationBaseUrl}/management/subscriptions/${encodeURIComponent(config.name)}/validate/${code}`;
    const vault = config.vaults?.length === 1 ? ctx.vaults.find((v) => v.name.toLowerCase() === config.vaults![0]!.toLowerCase()) : undefined;
    const topic = ctx.topic ?? vault?.resourceId ?? ctx.vaults[0]?.resourceId.replace(/\/resourceGroups\/.*$/i, "") ?? "/subscriptions";
    const manual: ManualValidation = { name: config.name, done: false };
    this.#manual.set(code, manual);
    try {
      const answer = await callWebhook(config.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "aeg-event-type": "SubscriptionValidation",
          "aeg-subscription-name": config.name.toUpperCase(),
          "aeg-delivery-count": "0",
          "aeg-metadata-version": "1",
          "aeg-data-version": "1",
        },
        body: JSON.stringify([validationEvent(topic, code, validationUrl, this.options.now?.() ?? Date.now())]),
        ca: this.#trustedCas(config),
        timeoutMs,
        signal: this.#abort.signal,
      });
      if (manual.done) return undefined;
      if (answer.kind !== "response") return describeNoAnswer(answer, timeoutMs);
      if (answer.status !== 200) return `the validation request was answered with HTTP ${answer.status}; expected 200.`;
      const echoed = validationResponseCode(answer.body);
      if (echoed === code) return undefined;
      if (echoed !== undefined) return "the endpoint answered with a validationResponse that is not the validationCode it was sent.";
      // 200 without a code: the endpoint may validate asynchronously, with a GET of validationUrl.
      const validated = await new Promise<boolean>((resolve) => {
        const settle = (ok: boolean) => {
          clearTimeout(timer);
          this.#abort.signal.removeEventListener("abort", onAbort);
          manual.notify = undefined;
          resolve(ok);
        };
        const onAbort = () => settle(false);
        const timer = setTimeout(() => settle(false), Math.max(0, deadline - Date.now()));
        manual.notify = () => settle(true);
        if (this.#abort.signal.aborted) settle(false);
        else this.#abort.signal.addEventListener("abort", onAbort, { once: true });
      });
      return validated
        ? undefined
        : `the endpoint answered 200 without {"validationResponse": "<validationCode>"} and did not GET the validationUrl within ${timeoutMs / 1000} s.`;
    } finally {
      this.#manual.delete(code);
    }
  }

  async #cloudEventsHandshake(config: Subscription): Promise<string | undefined> {
    const timeoutMs = this.options.handshakeTimeoutMs ?? WEBHOOK_TIMEOUT_MS;
    const answer = await callWebhook(config.endpoint, {
      method: "OPTIONS",
      headers: { "WebHook-Request-Origin": EVENT_GRID_ORIGIN },
      ca: this.#trustedCas(config),
      timeoutMs,
      signal: this.#abort.signal,
    });
    if (answer.kind !== "response") return describeNoAnswer(answer, timeoutMs);
    const allowed = String(answer.headers["webhook-allowed-origin"] ?? "").trim();
    if (answer.status !== 200 || (allowed !== "*" && allowed.toLowerCase() !== EVENT_GRID_ORIGIN)) {
      return `the CloudEvents validation request (OPTIONS with WebHook-Request-Origin: ${EVENT_GRID_ORIGIN}) was answered with HTTP ${answer.status}${allowed ? ` and WebHook-Allowed-Origin: ${allowed}` : " without WebHook-Allowed-Origin"}; expected 200 and WebHook-Allowed-Origin: ${EVENT_GRID_ORIGIN} or *.`;
    }
    return undefined;
  }

  // ---- delivery ----

  #onEvent(event: E): void {
    if (this.#closed) return;
    const nowMs = Date.now();
    const publishMs = this.options.now?.() ?? nowMs;
    for (const state of this.#subs.values()) {
      if (!this.format.matches(state.config, event)) continue;
      const p: Pending<E> = {
        state,
        event,
        attempts: 0,
        publishMs,
        offsetMs: publishMs - nowMs,
        expiresAtMs: nowMs + state.config.eventTimeToLiveMinutes * 60_000,
      };
      state.pending.add(p);
      this.#pending.add(p);
      p.timer = setTimeout(() => this.#attempt(p), 0);
    }
  }

  #attempt(p: Pending<E>): void {
    p.timer = undefined;
    if (this.#closed || p.state.deleted) return this.#drop(p);
    const config = p.state.config;
    if (p.expireOnTimer || Date.now() >= p.expiresAtMs) return this.#deadLetter(p, "TimeToLiveExceeded");
    if (p.attempts > 0) p.state.counters.retried++;
    p.attempts++;
    const common = {
      "aeg-event-type": "Notification",
      "aeg-subscription-name": config.name.toUpperCase(),
      "aeg-delivery-count": String(p.attempts - 1),
    };
    const request =
      config.schema === "CloudEventSchemaV1_0"
        ? {
            headers: {
              "Content-Type": "application/cloudevents+json; charset=utf-8",
              ...common,
              "aeg-metadata-version": "1.0",
              Origin: EVENT_GRID_ORIGIN,
            },
            body: JSON.stringify(this.format.cloudEvent(p.event)),
          }
        : this.#eventGridRequest(common, this.format.eventGrid(p.event));
    this.#track(
      callWebhook(config.endpoint, {
        method: "POST",
        ...request,
        ca: this.#trustedCas(config),
        timeoutMs: this.options.attemptTimeoutMs ?? WEBHOOK_TIMEOUT_MS,
        signal: this.#abort.signal,
      }).then((answer) => this.#settle(p, answer)),
    );
  }

  #eventGridRequest(common: Record<string, string>, event: EventGridShaped): { headers: Record<string, string>; body: string } {
    return {
      headers: {
        "Content-Type": "application/json",
        ...common,
        "aeg-metadata-version": event.metadataVersion,
        "aeg-data-version": event.dataVersion,
      },
      body: JSON.stringify([event]),
    };
  }

  #settle(p: Pending<E>, answer: WebhookAnswer): void {
    const atMs = Date.now();
    if (this.#closed || p.state.deleted) return this.#drop(p);
    if (answer.kind === "response" && isDelivered(answer.status)) {
      p.state.counters.delivered++;
      return this.#drop(p);
    }
    p.last =
      answer.kind === "response"
        ? { outcome: outcomeName(answer.status), status: answer.status, atMs }
        : { outcome: answer.kind === "timeout" ? "TimedOut" : "GenericError", status: 0, atMs };
    const noRetry = answer.kind === "response" ? NO_RETRY[answer.status] : undefined;
    if (noRetry) return this.#deadLetter(p, noRetry);
    const config = p.state.config;
    if (p.attempts >= config.maxDeliveryAttempts) return this.#deadLetter(p, "MaxDeliveryAttemptsExceeded");
    const delay = retryDelayMs(config.retryBackoff, p.attempts);
    if (atMs + delay >= p.expiresAtMs) {
      p.expireOnTimer = true;
      p.timer = setTimeout(() => this.#attempt(p), Math.max(0, p.expiresAtMs - atMs));
    } else {
      p.timer = setTimeout(() => this.#attempt(p), delay);
    }
  }

  #deadLetter(p: Pending<E>, reason: DeadLetterReason): void {
    const config = p.state.config;
    p.state.counters.deadLettered++;
    const last = p.last ?? { outcome: "GenericError", status: 0, atMs: Date.now() };
    const fields: DeadLetterFields = {
      deadLetterReason: reason,
      deliveryAttempts: p.attempts,
      lastDeliveryOutcome: last.outcome,
      lastHttpStatusCode: last.status,
      publishTime: new Date(p.publishMs).toISOString(),
      lastDeliveryAttemptTime: new Date(last.atMs + p.offsetMs).toISOString(),
    };
    const event = config.schema === "CloudEventSchemaV1_0" ? this.format.cloudEvent(p.event) : this.format.eventGrid(p.event);
    this.#track(this.#deadLetters.write(config.name, event, fields));
    this.#drop(p);
  }

  #drop(p: Pending<E>): void {
    clearTimeout(p.timer);
    p.timer = undefined;
    p.state.pending.delete(p);
    this.#pending.delete(p);
    this.#checkIdle();
  }

  #track(promise: Promise<unknown>): void {
    this.#inFlight.add(promise);
    void promise
      .catch((error: unknown) => console.error("local Key Vault: event delivery failed unexpectedly", error))
      .finally(() => {
        this.#inFlight.delete(promise);
        this.#checkIdle();
      });
  }

  #isIdle(): boolean {
    return this.#pending.size === 0 && this.#inFlight.size === 0;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of [...this.#idleWaiters]) resolve();
  }
}

function describeNoAnswer(answer: Exclude<WebhookAnswer, { kind: "response" }>, timeoutMs: number): string {
  return answer.kind === "timeout"
    ? `the endpoint did not answer the validation request within ${timeoutMs / 1000} s.`
    : `the endpoint could not be reached (${answer.message}).`;
}
