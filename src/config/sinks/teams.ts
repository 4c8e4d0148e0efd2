/** @module The Teams sink's settings: each teams channel's Workflows webhook in KVGUARD_ALERT_TEAMS_WEBHOOKS. */
import { z } from "zod";
import { docs } from "../docs.js";
import { isLoopbackHost } from "../vaultUrl.js";
import type { SinkSettings } from "./channel.js";

export const TEAMS_WEBHOOKS = "KVGUARD_ALERT_TEAMS_WEBHOOKS";

/** `channel=https://…` pairs. A webhook URL may be http only on this machine (the local Teams catcher). */
export const teamsWebhooksSetting = z.string().transform((raw, ctx) => {
  const hooks: Record<string, string> = {};
  for (const item of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = item.indexOf("=");
    const name = item.slice(0, at).trim();
    let url: URL | undefined;
    try {
      url = new URL(item.slice(at + 1).trim());
    } catch {
      url = undefined;
    }
    if (at < 1 || !url) {
      ctx.addIssue({
        code: "custom",
        message: `an entry is not channel=URL (${at < 1 ? "no channel name" : "not a URL"}). Write it like secops=https://prod-00.westeurope.logic.azure.com/workflows/…`,
      });
    } else if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
      ctx.addIssue({ code: "custom", message: `the webhook of channel ${name} is not https. Use the https URL the Workflows trigger shows` });
    } else hooks[name] = url.href;
  }
  return hooks;
});

export const teamsSettings = {
  type: "teams",
  title: "Teams Workflows webhook (Adaptive Card)",
  mail: false,
  connectionSetting: TEAMS_WEBHOOKS,
  settings: {
    KVGUARD_ALERT_TEAMS_WEBHOOKS: teamsWebhooksSetting.optional().register(docs, {
      description: "Teams Workflows webhook URL of each teams channel, comma-separated channel=URL (secret: the URL carries a signature).",
      example: "secops=https://prod-00.westeurope.logic.azure.com:443/workflows/…",
    }),
  },
  checkChannel(channel, values, problem) {
    const hooks = values[TEAMS_WEBHOOKS] ?? {};
    if (typeof hooks !== "object" || hooks === null || channel in hooks) return;
    problem(TEAMS_WEBHOOKS, `has no webhook for teams channel ${channel} (KVGUARD_ALERT_RULES). Add ${channel}=<the Workflows webhook URL>`);
  },
} satisfies SinkSettings;
