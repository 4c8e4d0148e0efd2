/**
 * @module The alert dispatcher built from the settings, as the functions and the CLI run it: the rules from
 * `KVGUARD_ALERT_RULES`, one sink per channel built by its type's plug-in (sinks/registry.ts), the state table in the app's
 * storage. Connection secrets are read here, from the environment, and never kept in the config; they are
 * also handed to the secret guard, so no alert can carry one.
 */
import { credentialFor } from "../azure/credential.js";
import type { Clock } from "../common/clock.js";
import { isSecretName } from "../config/redact.js";
import { formatProblem, loadConfig, SETTING_NAMES } from "../config/schema.js";
import { ensureTable, storageClients } from "../state/storage.js";
import { AlertDispatcher } from "./dispatcher.js";
import type { LinkContext } from "./links.js";
import type { RetryPolicy } from "./delivery.js";
import { sinkPlugin } from "./sinks/registry.js";
import type { Sink } from "./sinks/sink.js";
import { ALERTS_TABLE } from "./store/alertTable.js";

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

export interface AlertingOptions {
  clock?: Clock;
  log?: (line: string) => void;
  retry?: RetryPolicy;
}

export interface Alerting {
  dispatcher: AlertDispatcher;
  sinks: Record<string, Sink>;
  close(): void;
}

/**
 * The dispatcher and its sinks, or undefined when `KVGUARD_ALERT_RULES` is not set (alerting is off).
 * @param env - the environment (app settings)
 * @param options - clock, log and retry policy (tests)
 */
export async function alertingFromSettings(env: Env = process.env, options: AlertingOptions = {}): Promise<Alerting | undefined> {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`kvguard is misconfigured:\n${result.problems.map(formatProblem).join("\n")}`);
  const { config } = result;
  const rules = config.alerts.rules;
  if (!rules) return undefined;
  const credential = credentialFor(config.identity);
  const secrets = settingSecrets(env);
  const links: LinkContext = env.WEBSITE_HOSTNAME ? { appHost: env.WEBSITE_HOSTNAME } : {};
  const sinks: Record<string, Sink> = {};
  for (const [name, channel] of Object.entries(rules.channels)) {
    // Against the local stack, the local catchers' certificates come from the local CA, as the vault's does.
    sinks[name] = await sinkPlugin(channel.type).create({
      channel: name,
      to: channel.to ?? [],
      ...(config.alerts.from ? { from: config.alerts.from } : {}),
      env,
      secrets,
      links,
      credential,
      ...(config.local ? { ca: config.local.caPem } : {}),
    });
  }
  const table = await ensureTable(storageClients(env, credential).table(ALERTS_TABLE));
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
