/**
 * @module Alerting's settings: the routing rules (channels, routes, quiet hours, digests, rate limits, dedup
 * window), each sink's connection (Teams webhooks, SMTP, ACS Email: secrets, never kept in the config), the
 * sender, and when the outbox timer runs.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseRules, type AlertRules } from "./alertRules.js";
import { docs } from "./docs.js";
import { isLoopbackHost } from "./vaultUrl.js";
import { ncrontab } from "./ncrontab.js";

const list = (raw: string) => raw.split(",").map((s) => s.trim()).filter(Boolean);

const RULES_EXAMPLE = `{"channels":{"secops":{"type":"teams"}},"routes":[{"kinds":["rotation-failed","finding"],"channels":["secops"]}]}`;

/** Inline JSON, or a path to a JSON or YAML file; each problem says where in the rules. */
export const rulesSetting = z.string().transform((raw, ctx): AlertRules => {
  let data: unknown;
  const inline = raw.trim().startsWith("{");
  try {
    data = inline ? JSON.parse(raw) : parseYaml(readFileSync(raw, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    ctx.addIssue({
      code: "custom",
      message:
        code === "ENOENT"
          ? `the file ${raw} does not exist. Set it to inline JSON rules, such as ${RULES_EXAMPLE}, or to the path of a JSON or YAML rules file`
          : `${inline ? "is not JSON" : `the file ${raw} is not JSON or YAML`} (${(error as Error).message.split("\n")[0]}). Write the rules like ${RULES_EXAMPLE}`,
    });
    return z.NEVER;
  }
  const parsed = parseRules(data);
  if (!parsed.ok) {
    for (const problem of parsed.problems) ctx.addIssue({ code: "custom", message: `${problem}${inline ? "" : ` (in ${raw})`}` });
    return z.NEVER;
  }
  return parsed.rules;
});

/** `channel=https://…` pairs. A webhook URL may be http only on this machine (the local Teams catcher). */
export const teamsWebhooksSetting = z.string().transform((raw, ctx) => {
  const hooks: Record<string, string> = {};
  for (const item of list(raw)) {
    const at = item.indexOf("=");
    const name = item.slice(0, at).trim();
    let url: URL | undefined;
    try {
      url = new URL(item.slice(at + 1).trim());
    } catch {
      url = undefined;
    }
    if (at < 1 || !url) {
      ctx.addIssue({ code: "custom", message: `an entry is not channel=URL (${at < 1 ? "no channel name" : "not a URL"}). Write it like secops=https://prod-00.westeurope.logic.azure.com/workflows/…` });
    } else if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
      ctx.addIssue({ code: "custom", message: `the webhook of channel ${name} is not https. Use the https URL the Workflows trigger shows` });
    } else hooks[name] = url.href;
  }
  return hooks;
});

const SMTP_EXAMPLE = "smtps://user:password@smtp.example.com:465 or smtp://user:password@smtp.example.com:587";

/** `smtps://` (TLS from the start) or `smtp://` (STARTTLS: KVGUARD_ALERT_SMTP_STARTTLS), host, port, login; nothing else. */
export const smtpConnectionSetting = z.string().superRefine((raw, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !/^smtps?:$/.test(url.protocol) || !url.hostname) {
    ctx.addIssue({ code: "custom", message: `is not an SMTP URL. Set it to ${SMTP_EXAMPLE}` });
  } else if (url.search || url.hash || (url.pathname !== "" && url.pathname !== "/")) {
    // nodemailer would read transport options from the query (ignoreTLS, tls.rejectUnauthorized...).
    ctx.addIssue({
      code: "custom",
      message: `has a path or query (${url.search ? "?…" : url.pathname}); kvguard reads only the scheme, login, host and port. Remove it; TLS is set by the scheme and KVGUARD_ALERT_SMTP_STARTTLS`,
    });
  }
});

/** A connection string (`endpoint=…;accesskey=…`), or the resource's https endpoint alone (the app's identity). */
export const acsConnectionSetting = z.string().transform((raw, ctx): { connectionString: string } | { endpoint: string } => {
  const endpoint = /(?:^|;)\s*endpoint=([^;]+)/i.exec(raw)?.[1]?.trim();
  const hasKey = /(?:^|;)\s*accesskey=[^;]+/i.test(raw);
  if (endpoint && hasKey && /^https:\/\//i.test(endpoint)) return { connectionString: raw };
  if (!endpoint && /^https:\/\/[^;\s]+$/i.test(raw.trim())) return { endpoint: raw.trim() };
  ctx.addIssue({
    code: "custom",
    message: "is not an ACS connection string. Set it to endpoint=https://<resource>.communication.azure.com/;accesskey=<key>, or to the resource's https endpoint alone to use the app's managed identity",
  });
  return z.NEVER;
});

export const alertShape = {
  KVGUARD_ALERT_RULES: rulesSetting.optional().register(docs, {
    description: "Alert routing: channels, routes (event kind, severity, vault → channels), quiet hours, digests, rate limits, dedup window. Inline JSON, or a JSON or YAML file.",
    example: RULES_EXAMPLE,
  }),
  KVGUARD_ALERT_TEAMS_WEBHOOKS: teamsWebhooksSetting.optional().register(docs, {
    description: "Teams Workflows webhook URL of each teams channel, comma-separated channel=URL (secret: the URL carries a signature).",
    example: "secops=https://prod-00.westeurope.logic.azure.com:443/workflows/…",
  }),
  KVGUARD_ALERT_SMTP_CONNECTION: smtpConnectionSetting.optional().register(docs, {
    description: "The SMTP server smtp channels send through, as a URL with credentials.",
    example: "smtps://alerts%40contoso.com:<password>@smtp.office365.com:465",
  }),
  KVGUARD_ALERT_SMTP_STARTTLS: z
    .enum(["required", "optional"], { error: () => "must be required or optional" })
    .default("required")
    .register(docs, {
      description:
        "For an smtp:// connection: required sends only after the server upgrades the connection with STARTTLS (certificate and host checked); optional also sends in clear text to a server that does not offer it (a relay on a network you trust). smtps:// is TLS from the start either way.",
    }),
  KVGUARD_ALERT_ACS_CONNECTION: acsConnectionSetting.optional().register(docs, {
    description: "The Azure Communication Services resource acs channels send through: its connection string, or its endpoint alone to use the app's managed identity.",
    example: "https://kvguard-mail.europe.communication.azure.com",
  }),
  KVGUARD_ALERT_FROM: z
    .email({ error: () => "is not an email address. Set it to the sender, such as DoNotReply@contoso.com (for ACS: a verified sender of its email domain)" })
    .optional()
    .register(docs, { description: "The sender of alert mail (for ACS Email, a verified sender address of its domain).", example: "DoNotReply@contoso.com" }),
  KVGUARD_ALERT_SCHEDULE: ncrontab("0 */5 * * * *").default("0 */5 * * * *").register(docs, {
    description: "When the alertOutbox timer retries the outbox and sends due digests and held summaries (NCRONTAB, UTC).",
  }),
};

export type AlertSettings = z.output<z.ZodObject<typeof alertShape>>;

/** Alerting as the typed config holds it: no connection secret, only which sinks are configured. */
export interface AlertConfig {
  schedule: string;
  /** STARTTLS on `smtp://`: required, or optional by the operator's choice. */
  smtpStartTls: "required" | "optional";
  rules?: AlertRules;
  from?: string;
}

export function alertConfig(settings: AlertSettings): AlertConfig {
  return {
    schedule: settings.KVGUARD_ALERT_SCHEDULE,
    smtpStartTls: settings.KVGUARD_ALERT_SMTP_STARTTLS,
    ...(settings.KVGUARD_ALERT_RULES ? { rules: settings.KVGUARD_ALERT_RULES } : {}),
    ...(settings.KVGUARD_ALERT_FROM ? { from: settings.KVGUARD_ALERT_FROM } : {}),
  };
}

type CrossCheckInput = Partial<Record<keyof typeof alertShape, unknown>>;

/** Each channel the rules define needs its sink's connection, and mail needs a sender. */
export function alertCrossCheck(value: CrossCheckInput, ctx: z.RefinementCtx): void {
  // A field that failed its own check holds no rules here (the check runs on partial values).
  const channels = (value.KVGUARD_ALERT_RULES as Partial<AlertRules> | undefined)?.channels;
  if (!channels || typeof channels !== "object") return;
  const hooks = (value.KVGUARD_ALERT_TEAMS_WEBHOOKS ?? {}) as Record<string, string>;
  const add = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  for (const [name, channel] of Object.entries(channels)) {
    if (channel.type === "teams" && typeof hooks === "object" && !(name in hooks)) {
      add("KVGUARD_ALERT_TEAMS_WEBHOOKS", `has no webhook for teams channel ${name} (KVGUARD_ALERT_RULES). Add ${name}=<the Workflows webhook URL>`);
    }
    if (channel.type === "smtp" && value.KVGUARD_ALERT_SMTP_CONNECTION === undefined) {
      add("KVGUARD_ALERT_SMTP_CONNECTION", `is not set, but KVGUARD_ALERT_RULES sends channel ${name} by SMTP. Set it to smtps://user:password@host:465`);
    }
    if (channel.type === "acs" && value.KVGUARD_ALERT_ACS_CONNECTION === undefined) {
      add("KVGUARD_ALERT_ACS_CONNECTION", `is not set, but KVGUARD_ALERT_RULES sends channel ${name} through ACS Email. Set it to the resource's connection string or endpoint`);
    }
    if (channel.type !== "teams" && value.KVGUARD_ALERT_FROM === undefined) {
      add("KVGUARD_ALERT_FROM", `is not set, but channel ${name} sends mail. Set it to the sender address, such as DoNotReply@contoso.com`);
    }
  }
}
