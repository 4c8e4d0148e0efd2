/**
 * @module The alert dispatcher built from the config, as the app wires it: the rules from
 * `KVGUARD_ALERT_RULES`, one sink per channel from its connection setting, the state table the app hands over.
 * Connection secrets are read here, from the environment, and never kept in the config; they are also handed
 * to the secret guard, so no alert can carry one.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { TableClient } from "@azure/data-tables";
import type { Clock } from "../common/clock.js";
import { acsConnectionSetting, teamsWebhooksSetting } from "../config/alertSettings.js";
import { isSecretName } from "../config/redact.js";
import { SETTING_NAMES, type KvguardConfig } from "../config/schema.js";
import { AlertDispatcher } from "./dispatcher.js";
import type { LinkContext } from "./links.js";
import type { RetryPolicy } from "./delivery.js";
import { AcsEmailSink } from "./sinks/acsEmail.js";
import type { Sink } from "./sinks/sink.js";
import { SmtpSink } from "./sinks/smtp.js";
import { TeamsSink } from "./sinks/teams.js";

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
  credential: TokenCredential;
  /** The alerts' state table (`ALERTS_TABLE`), created. */
  table: TableClient;
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
 * @param config - the loaded settings
 * @param env - the environment (app settings), for the connection secrets
 * @param options - credential and table; clock, log and retry policy (tests)
 */
export function createAlerting(config: KvguardConfig, env: Env, options: AlertingOptions): Alerting | undefined {
  const rules = config.alerts.rules;
  if (!rules) return undefined;
  const { credential, table } = options;
  const secrets = settingSecrets(env);
  const links: LinkContext = env.WEBSITE_HOSTNAME ? { appHost: env.WEBSITE_HOSTNAME } : {};
  const hooks = env.KVGUARD_ALERT_TEAMS_WEBHOOKS ? teamsWebhooksSetting.parse(env.KVGUARD_ALERT_TEAMS_WEBHOOKS) : {};
  const acs = env.KVGUARD_ALERT_ACS_CONNECTION ? acsConnectionSetting.parse(env.KVGUARD_ALERT_ACS_CONNECTION) : undefined;
  const sinks: Record<string, Sink> = {};
  const smtpSinks: SmtpSink[] = [];
  for (const [name, channel] of Object.entries(rules.channels)) {
    const mail = { from: config.alerts.from!, to: channel.to ?? [], secrets, links };
    if (channel.type === "teams") sinks[name] = new TeamsSink(hooks[name]!, { secrets, links });
    else if (channel.type === "smtp") {
      // Against the local stack, its SMTP catcher's certificate comes from the local CA, as the vault's does.
      const sink = new SmtpSink(env.KVGUARD_ALERT_SMTP_CONNECTION!, {
        ...mail,
        startTls: config.alerts.smtpStartTls,
        ...(config.local ? { ca: config.local.caPem } : {}),
      });
      smtpSinks.push(sink);
      sinks[name] = sink;
    } else {
      sinks[name] = new AcsEmailSink("connectionString" in acs! ? acs.connectionString : { endpoint: acs!.endpoint, credential }, mail);
    }
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
  return { dispatcher, sinks, close: () => smtpSinks.forEach((s) => s.close()) };
}
