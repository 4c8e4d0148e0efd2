/**
 * @module The alert dispatcher built from the config, as the app wires it: the rules from
 * `KVGUARD_ALERT_RULES`, one sink per channel built by its type's plug-in (sinks/registry.ts), the state table
 * the app hands over. Connection secrets are read here, from the environment, and never kept in the config;
 * they are also handed to the secret guard, so no alert can carry one.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { TableClient } from "@azure/data-tables";
import type { Clock } from "../common/clock.js";
import { isSecretName } from "../config/redact.js";
import { SETTING_NAMES, type KvguardConfig } from "../config/schema.js";
import { AlertDispatcher } from "./dispatcher.js";
import type { LinkContext } from "./links.js";
import type { RetryPolicy } from "./delivery.js";
import { sinkPlugin } from "./sinks/registry.js";
import type { Sink } from "./sinks/sink.js";
import type { AlertMessage } from "./message.js";
import type { Telemetry } from "../telemetry/port.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Secret setting values, and the credential parts inside them (an SMTP password, a webhook's signature). */
export function settingSecrets(env: Env): string[] {
  const secrets: string[] = [];
  for (const name of SETTING_NAMES) {
    const value = env[name]?.trim();
    if (!value || !isSecretName(name) || /^UseDevelopmentStorage=true$/i.test(value)) continue;
    secrets.push(value);
    for (const match of value.matchAll(/(?:accesskey|AccountKey|sig|password)=([^;&,\s]+)/gi)) secrets.push(decodeURIComponent(match[1]!));
    for (const match of value.matchAll(/smtps?:\/\/[^:@/]+:([^@/]+)@/gi)) secrets.push(decodeURIComponent(match[1]!));
  }
  return secrets;
}

/** Every delivery attempt counted by the sink's type (retries of one message count each). */
function counted(sink: Sink, telemetry: Telemetry | undefined): Sink {
  if (!telemetry) return sink;
  return {
    type: sink.type,
    ...(sink.close ? { close: () => sink.close!() } : {}),
    async deliver(message: AlertMessage): Promise<void> {
      try {
        await sink.deliver(message);
      } catch (error) {
        telemetry.count("kvguard.alerts.failed", 1, { sink: sink.type });
        throw error;
      }
      telemetry.count("kvguard.alerts.sent", 1, { sink: sink.type });
    },
  };
}

export interface AlertingOptions {
  credential: TokenCredential;
  /** The alerts' state table (`ALERTS_TABLE`), created. */
  table: TableClient;
  clock?: Clock;
  log?: (line: string) => void;
  retry?: RetryPolicy;
  /** Deliveries counted by sink type, sent or failed. */
  telemetry?: Telemetry;
}

export interface Alerting {
  dispatcher: AlertDispatcher;
  sinks: Record<string, Sink>;
  close(): void;
}

/**
 * The dispatcher and its sinks, or undefined when `KVGUARD_ALERT_RULES` is not set (alerting is off).
 * @param config - the loaded settings
 * @param env - the environment (app settings), for the connection secrets
 * @param options - credential and table; clock, log and retry policy (tests)
 */
export async function createAlerting(config: KvguardConfig, env: Env, options: AlertingOptions): Promise<Alerting | undefined> {
  const rules = config.alerts.rules;
  if (!rules) return undefined;
  const { credential, table } = options;
  const secrets = settingSecrets(env);
  const links: LinkContext = env.WEBSITE_HOSTNAME ? { appHost: env.WEBSITE_HOSTNAME } : {};
  const sinks: Record<string, Sink> = {};
  for (const [name, channel] of Object.entries(rules.channels)) {
    // Against the local stack, the local catchers' certificates come from the local CA, as the vault's does.
    sinks[name] = counted(
      await sinkPlugin(channel.type).create({
        channel: name,
        to: channel.to ?? [],
        ...(config.alerts.from ? { from: config.alerts.from } : {}),
        env,
        secrets,
        links,
        credential,
        ...(config.local ? { ca: config.local.caPem } : {}),
      }),
      options.telemetry,
    );
  }
  const dispatcher = new AlertDispatcher({
    rules,
    sinks,
    table,
    secrets,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  return { dispatcher, sinks, close: () => Object.values(sinks).forEach((s) => s.close?.()) };
}
