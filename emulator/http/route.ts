/** @module What a data-plane route is: its path, audit operation name, RBAC data action and handler. */
import type { Identity } from "../auth/identity.js";
import type { BackupSealer } from "../common/backup.js";
import type { EventBus } from "../events/bus.js";
import type { Vault } from "../vault.js";

export type Method = "GET" | "PUT" | "POST" | "PATCH" | "DELETE";

/** One throttling bucket: requests in it count against `limit` per vault per 10 s window. */
export interface ThrottleBucket {
  bucket: string;
  limit: number;
}

export interface RouteContext {
  vault: Vault;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  identity: Identity;
  /** Emulator time in unix seconds. */
  now: number;
  events: EventBus;
  /** Seals and opens backup blobs. */
  backups: BackupSealer;
  /** Emulator time in milliseconds, for event times. */
  nowMs: number;
  /** How long a soft delete, a recover or a self-signed certificate's issuance takes (ms of the vault's clock). */
  lroMs: number;
}

export interface RouteResult {
  status?: number;
  body?: unknown;
  /** The object the request touched, for the audit record's `properties.id`. */
  objectId?: string;
  /** Set when the request changed vault state, so it gets persisted. */
  mutated?: boolean;
  /** Response headers beyond the request ids (a create's `Location`). */
  headers?: Record<string, string>;
}

export interface Route {
  method: Method;
  /** Segments; `{name}` captures, a trailing `{name?}` may be absent (Key Vault's `/secrets/{name}/`). */
  path: string;
  /** The AuditEvent `operationName`. */
  operation: string;
  /** The Azure RBAC data action the caller needs. */
  action: string;
  /** Throttling bucket; the default is the vault's 4,000-per-10 s transaction bucket. */
  throttle?: (ctx: RouteContext) => ThrottleBucket;
  handle(ctx: RouteContext): RouteResult | Promise<RouteResult>;
}
