/**
 * @module The alert dispatcher built from the settings, as the functions and the CLI run it: the rules from
 * `KVGUARD_ALERT_RULES`, one sink per channel from its connection setting, the state table in the app's
 * storage. Connection secrets are read here, from the environment, and never kept in the config; they are
 * also handed to the secret guard, so no alert can carry one.
 */
import { credentialFor } from "../azure/credential.js";
import type { Clock } from "../common/clock.js";
import { acsConnectionSetting, teamsWebhooksSetting } from "../config/alertSettings.js";
import { isSecretName } from "../config/redact.js";
import { formatProblem, loadConfig, SETTING_NAMES } from "../config/schema.js";
import { ensureTable, storageClients } from "../state/storage.js";
import { AlertDispatcher } from "./dispatcher.js";
import type { LinkContext } from "./links.js";
import type { RetryPolicy } from "./delivery.js";
import { AcsEmailSink } from "./sinks/acsEmail.js";
import type { Sink } from "./sinks/sink.js";
import { SmtpSink } from "./sinks/smtp.js";
import { TeamsSink } from "./sinks/teams.js";
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
  return { dispatcher, sinks, close: () => smtpSinks.forEach((s) => s.close()) };
}
