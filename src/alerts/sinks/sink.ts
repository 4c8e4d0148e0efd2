/**
 * @module The sink plug-in contract: a channel's way out (Teams webhook, ACS Email, SMTP...). One file per
 * sink type holds how its sink is built, on top of its settings half (config/sinks/: settings with their docs
 * and the channel check, which the settings schema reads); `registry.ts` lists them for the wiring and the
 * doctor's advice.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { SinkSettings } from "../../config/sinks/channel.js";
import type { LinkContext } from "../links.js";
import type { AlertMessage } from "../message.js";

export interface Sink {
  /** The plug-in's type (`teams`, `smtp`, `acs`...). */
  readonly type: string;
  deliver(message: AlertMessage): Promise<void>;
  /** Releases connections (SMTP pools); absent when there are none. */
  close?(): void;
}

type Env = Readonly<Record<string, string | undefined>>;

/** What a sink is built from: its channel, the environment holding its connection, and the app's parts. */
export interface SinkContext {
  /** The channel's name in the rules. */
  channel: string;
  /** The channel's recipients (mail sinks). */
  to: readonly string[];
  /** KVGUARD_ALERT_FROM (mail sinks). */
  from?: string;
  /** The app settings: the sink reads and parses its own connection settings here. */
  env: Env;
  /** Values no message may carry (settings' secrets). */
  secrets: readonly string[];
  links: LinkContext;
  /** The app's identity, for sinks that sign in with it. */
  credential: TokenCredential;
  /** A CA to trust besides the system's (the local stack's), for the sink's TLS peer. */
  ca?: string;
}

/** A sink: its settings half (config/sinks/, which the settings schema reads) and how it is built. */
export interface SinkPlugin extends SinkSettings {
  create(context: SinkContext): Promise<Sink>;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    /** Worth retrying soon (429, 5xx, network); otherwise it waits in the outbox for the next run. */
    readonly retryable: boolean,
    /** What the peer asked for (Retry-After), in ms. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DeliveryError";
  }
}

/** Retry-After as seconds or an HTTP date, in ms from `nowMs`. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
