/**
 * @module Alerting's settings: the routing rules (channels, routes, quiet hours, digests, rate limits, dedup
 * window), each sink's settings (config/sinks/: connections are secrets, never kept in the config),
 * the sender, and when the outbox timer runs.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseRules, type AlertRules } from "./alertRules.js";
import { sinkSettings, sinkSettingsOf } from "./sinks/index.js";
import { docs } from "./docs.js";
import { ncrontab } from "./ncrontab.js";

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

export const alertShape = {
  KVGUARD_ALERT_RULES: rulesSetting.optional().register(docs, {
    description:
      "Alert routing: channels, routes (event kind, severity, vault → channels), quiet hours, digests, rate limits, dedup window. Inline JSON, or a JSON or YAML file.",
    example: RULES_EXAMPLE,
  }),
  ...sinkSettings,
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
  rules?: AlertRules;
  from?: string;
}

export function alertConfig(settings: AlertSettings): AlertConfig {
  return {
    schedule: settings.KVGUARD_ALERT_SCHEDULE,
    ...(settings.KVGUARD_ALERT_RULES ? { rules: settings.KVGUARD_ALERT_RULES } : {}),
    ...(settings.KVGUARD_ALERT_FROM ? { from: settings.KVGUARD_ALERT_FROM } : {}),
  };
}

type CrossCheckInput = Partial<Record<keyof typeof alertShape, unknown>>;

/** Each channel the rules define needs its sink's settings (each sink says which), and mail needs a sender. */
export function alertCrossCheck(value: CrossCheckInput, ctx: z.RefinementCtx): void {
  // A field that failed its own check holds no rules here (the check runs on partial values).
  const channels = (value.KVGUARD_ALERT_RULES as Partial<AlertRules> | undefined)?.channels;
  if (!channels || typeof channels !== "object") return;
  const add = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  for (const [name, channel] of Object.entries(channels)) {
    const plugin = sinkSettingsOf(channel.type);
    plugin.checkChannel(name, value, add);
    if (plugin.mail && value.KVGUARD_ALERT_FROM === undefined) {
      add("KVGUARD_ALERT_FROM", `is not set, but channel ${name} sends mail. Set it to the sender address, such as DoNotReply@contoso.com`);
    }
  }
}
