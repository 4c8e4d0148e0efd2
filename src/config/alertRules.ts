/**
 * @module The routing rules (`KVGUARD_ALERT_RULES`): channels, routes from event kind, severity and vault to
 * channels, quiet hours, digests, rate limits and the dedup window. Parsed with zod into problems that say
 * where in the rules (`routes[1].channels`) and how to fix it.
 */
import { z } from "zod";
import { parseDurationSeconds } from "../common/duration.js";
import { ALERT_KINDS, ALERT_SEVERITIES } from "./alertKinds.js";
import { SINK_TYPES, sinkSettingsOf } from "./sinks/index.js";

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const CHANNEL_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

const severity = z.enum(ALERT_SEVERITIES, { error: () => `is not a severity. Use one of ${ALERT_SEVERITIES.join(", ")}` });
const kind = z.enum(ALERT_KINDS, { error: () => `is not an alert kind. Use one of ${ALERT_KINDS.join(", ")}` });
const time = z.string().regex(HHMM, { error: () => "is not a time of day. Write it HH:MM, UTC, such as 08:00" });

const channelSchema = z
  .object({
    type: z.enum(SINK_TYPES, { error: () => `is not a channel type. Use ${SINK_TYPES.join(", ")}` }),
    to: z
      .array(z.email({ error: () => "is not an email address" }))
      .min(1)
      .optional(),
    quietHours: z
      .string()
      .regex(/^\d\d:\d\d-\d\d:\d\d$/, { error: () => "is not a time range. Write it HH:MM-HH:MM, UTC, such as 22:00-07:00" })
      .refine((r) => r.split("-").every((t) => HHMM.test(t)), { error: () => "has a time that is not HH:MM (00:00 to 23:59)" })
      .optional(),
    /** Alerts at or above this severity go out even in quiet hours. */
    urgent: severity.optional(),
    /** Alerts at or below `upTo` collect into one daily message sent at `at` (UTC). */
    digest: z
      .object({ at: time, upTo: severity.default("critical") })
      .strict()
      .optional(),
    rateLimit: z.object({ max: z.number().int().positive(), perMinutes: z.number().int().positive() }).strict().default({ max: 10, perMinutes: 60 }),
  })
  .strict();

const routeSchema = z
  .object({
    kinds: z.array(kind).min(1).optional(),
    severities: z.array(severity).min(1).optional(),
    minSeverity: severity.optional(),
    /** Vault names; `*` globs. */
    vaults: z.array(z.string().min(1)).min(1).optional(),
    channels: z.array(z.string()).min(1, { error: () => "lists no channel. Name at least one channel from channels" }),
  })
  .strict();

export const rulesSchema = z
  .object({
    channels: z.record(z.string().regex(CHANNEL_NAME, { error: () => "is not a channel name (lower-case letters, digits, hyphens)" }), channelSchema),
    routes: z.array(routeSchema).min(1, { error: () => 'lists no route. Add one such as {"kinds":["rotation-failed"],"channels":["secops"]}' }),
    dedupWindow: z
      .string()
      .default("PT1H")
      .transform((text, ctx) => {
        try {
          return parseDurationSeconds(text) * 1000;
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
          return z.NEVER;
        }
      }),
  })
  .strict()
  .superRefine((rules, ctx) => {
    rules.routes.forEach((route, i) =>
      route.channels.forEach((name, j) => {
        if (!(name in rules.channels)) {
          const known = Object.keys(rules.channels);
          ctx.addIssue({
            code: "custom",
            path: ["routes", i, "channels", j],
            message: `"${name}" is not a channel. Use one of: ${known.join(", ") || "(none defined)"}`,
          });
        }
      }),
    );
    for (const [name, channel] of Object.entries(rules.channels)) {
      if (sinkSettingsOf(channel.type).mail && !channel.to) {
        ctx.addIssue({
          code: "custom",
          path: ["channels", name, "to"],
          message: `is missing: an ${channel.type} channel needs recipients, such as ["secops@contoso.com"]`,
        });
      }
    }
  });

export type AlertRules = z.output<typeof rulesSchema>;
export type ChannelRule = AlertRules["channels"][string];
export type RouteRule = AlertRules["routes"][number];

/** `routes[1].channels[0]` from a zod path. */
function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), "");
}

export type RulesParse = { ok: true; rules: AlertRules } | { ok: false; problems: string[] };

/** Parses rules already read as JSON or YAML; each problem names its place in the rules. */
export function parseRules(data: unknown): RulesParse {
  const parsed = rulesSchema.safeParse(data);
  if (parsed.success) return { ok: true, rules: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const message =
        issue.code === "unrecognized_keys"
          ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}; remove it or check its spelling (docs/alerts.md)`
          : issue.message;
      return issue.path.length ? `at ${pathText(issue.path)}: ${message}` : message;
    }),
  };
}
