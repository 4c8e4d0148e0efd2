/**
 * @module Event subscriptions as Event Grid defines them for a Key Vault system topic: a webhook endpoint,
 * the delivery schema, the filters (event types, subject prefix and suffix, and the emulator's own vault
 * filter standing in for the topic) and the retry policy, validated with zod.
 */
import { z } from "zod";
import { KvError } from "../http/errors.js";
import type { KeyVaultEvent } from "./bus.js";

/** The ten event types Key Vault publishes. */
export const KEY_VAULT_EVENT_TYPES = [
  "Microsoft.KeyVault.SecretNewVersionCreated",
  "Microsoft.KeyVault.SecretNearExpiry",
  "Microsoft.KeyVault.SecretExpired",
  "Microsoft.KeyVault.KeyNewVersionCreated",
  "Microsoft.KeyVault.KeyNearExpiry",
  "Microsoft.KeyVault.KeyExpired",
  "Microsoft.KeyVault.CertificateNewVersionCreated",
  "Microsoft.KeyVault.CertificateNearExpiry",
  "Microsoft.KeyVault.CertificateExpired",
  "Microsoft.KeyVault.VaultAccessPolicyChanged",
] as const;

export const DELIVERY_SCHEMAS = ["EventGridSchema", "CloudEventSchemaV1_0"] as const;
export type DeliverySchema = (typeof DELIVERY_SCHEMAS)[number];

/**
 * Event Grid's documented retry schedule, as multiples of its first step (10 s): 10 s, 30 s, 1 min, 5 min,
 * 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h until the event's time to live runs out.
 */
export const RETRY_SCHEDULE_STEPS = [1, 3, 6, 30, 60, 180, 360, 1080, 2160, 4320] as const;
export const DEFAULT_BACKOFF = { baseMs: 10_000, capMs: 12 * 3600_000, jitter: 0.1 } as const;

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

const eventTypeName = z.string().refine((type) => KEY_VAULT_EVENT_TYPES.some((known) => known.toLowerCase() === type.toLowerCase()), {
  message: `is not a Key Vault event type; expected one of ${KEY_VAULT_EVENT_TYPES.join(", ")}`,
});

const retryBackoff = z
  .strictObject({
    /** The first retry's delay; later ones follow Event Grid's schedule scaled by base / 10 s. */
    baseMs: z.number().int().positive().default(DEFAULT_BACKOFF.baseMs),
    /** No retry waits longer than this. */
    capMs: z.number().int().positive().default(DEFAULT_BACKOFF.capMs),
    /** Each delay moves by up to ± this fraction ("a small randomization"). */
    jitter: z.number().min(0).max(1).default(DEFAULT_BACKOFF.jitter),
  })
  .refine((b) => b.capMs >= b.baseMs, { message: "capMs must be at least baseMs", path: ["capMs"] });

export const subscriptionInput = z.strictObject({
  /** Event Grid's rule for event subscription names. */
  name: z.string().regex(/^[A-Za-z0-9-]{3,64}$/, { message: "must be 3-64 letters, digits and hyphens" }),
  endpoint: z.string().refine(isWebUrl, { message: "must be an absolute http:// or https:// URL" }),
  schema: z.enum(DELIVERY_SCHEMAS).default("EventGridSchema"),
  /** Absent: every event type. */
  includedEventTypes: z.array(eventTypeName).min(1).max(25).optional(),
  subjectBeginsWith: z.string().max(1024).optional(),
  subjectEndsWith: z.string().max(1024).optional(),
  isSubjectCaseSensitive: z.boolean().default(false),
  /** Vault names (the topic filter); absent: every vault served. */
  vaults: z.array(z.string().min(1)).min(1).optional(),
  maxDeliveryAttempts: z.number().int().min(1).max(30).default(30),
  eventTimeToLiveMinutes: z.number().int().min(1).max(1440).default(1440),
  retryBackoff: retryBackoff.default({ ...DEFAULT_BACKOFF }),
  /** PEM of a CA trusted, besides the emulator's own, for an https endpoint on loopback. */
  endpointCa: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "must be a PEM certificate" }).optional(),
});

export type SubscriptionInput = z.input<typeof subscriptionInput>;
export type Subscription = z.output<typeof subscriptionInput>;

/** Normalizes event type spelling to Key Vault's. */
export function normalizeSubscription(sub: Subscription): Subscription {
  if (!sub.includedEventTypes) return sub;
  const types = sub.includedEventTypes.map((type) => KEY_VAULT_EVENT_TYPES.find((known) => known.toLowerCase() === type.toLowerCase()) ?? type);
  return { ...sub, includedEventTypes: [...new Set(types)] };
}

/** Event Grid's filter on event type (case-insensitive) and subject prefix and suffix. */
export function matchesTypeAndSubject(sub: Subscription, eventType: string, subject: string): boolean {
  if (sub.includedEventTypes && !sub.includedEventTypes.some((t) => t.toLowerCase() === eventType.toLowerCase())) return false;
  const fold = (s: string) => (sub.isSubjectCaseSensitive ? s : s.toLowerCase());
  const folded = fold(subject);
  if (sub.subjectBeginsWith && !folded.startsWith(fold(sub.subjectBeginsWith))) return false;
  if (sub.subjectEndsWith && !folded.endsWith(fold(sub.subjectEndsWith))) return false;
  return true;
}

/** Event Grid's filter for Key Vault's events: event type, subject, and the vault. */
export function matches(sub: Subscription, event: KeyVaultEvent): boolean {
  if (sub.vaults && !sub.vaults.some((v) => v.toLowerCase() === event.data.VaultName.toLowerCase())) return false;
  return matchesTypeAndSubject(sub, event.eventType, event.subject);
}

/** Delay before the retry that follows failed attempt number `attempt` (1-based). */
export function retryDelayMs(backoff: Subscription["retryBackoff"], attempt: number, random = Math.random): number {
  const step = RETRY_SCHEDULE_STEPS[Math.min(attempt, RETRY_SCHEDULE_STEPS.length) - 1]!;
  const delay = Math.min(backoff.capMs, backoff.baseMs * step);
  return Math.max(0, Math.round(delay * (1 + backoff.jitter * (random() * 2 - 1))));
}

/** The endpoint without its query string, which may hold a key (`?code=` of a Function). */
export function endpointBaseUrl(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Validates a subscription (against Key Vault's rules by default), answering 400 BadParameter that names the first offending field. */
export function parseSubscription(input: unknown, schema: z.ZodType<Subscription> = subscriptionInput): Subscription {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? issue.path.join(".") : "body";
    throw new KvError(400, "BadParameter", `Invalid subscription: ${where}: ${issue.message}`);
  }
  return normalizeSubscription(result.data);
}
