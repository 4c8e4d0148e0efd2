/**
 * @module The sink plug-in contract: a channel's way out (Teams webhook, ACS Email, SMTP...). One file per
 * sink type holds its settings (with their docs), how a channel of its type checks them, and how its sink is
 * built; `registry.ts` lists them. The rules' channel types, the settings' cross-check, the wiring and the
 * doctor's advice all read the registry, so adding a sink is its file, one registry line and its docs.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { z } from "zod";
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

/** Adds one settings problem, on `setting`. */
export type SettingProblem = (setting: string, message: string) => void;

export interface SinkPlugin {
  /** The channel `type` in KVGUARD_ALERT_RULES. */
  type: string;
  /** What it delivers through, for docs and messages. */
  title: string;
  /** Sends mail: its channels need `to`, and KVGUARD_ALERT_FROM must be set. */
  mail: boolean;
  /** The setting holding its connection (named in the doctor's advice). */
  connectionSetting: string;
  /** Its settings, each registered with its docs; merged into the app's settings schema. */
  settings: Record<string, z.ZodType>;
  /**
   * The settings problems of one channel of this type (its connection missing...), on already-parsed values
   * (a field that failed its own check is absent).
   */
  checkChannel(channel: string, values: Readonly<Record<string, unknown>>, problem: SettingProblem): void;
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
