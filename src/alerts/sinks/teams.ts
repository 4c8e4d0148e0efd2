/**
 * @module Teams through a Workflows (Power Automate) webhook: POST the message payload with its Adaptive
 * Card. The webhook answers 202 (or 200); 429 carries Retry-After, which delivery honours. Each teams channel
 * has its own webhook in KVGUARD_ALERT_TEAMS_WEBHOOKS.
 */
import { z } from "zod";
import { docs } from "../../config/docs.js";
import { isLoopbackHost } from "../../config/vaultUrl.js";
import type { LinkContext } from "../links.js";
import type { AlertMessage } from "../message.js";
import { teamsPayload } from "../render/card.js";
import { assertNoSecrets } from "../secretGuard.js";
import { DeliveryError, parseRetryAfter, type Sink, type SinkPlugin } from "./sink.js";

const TIMEOUT_MS = 15_000;
const SETTING = "KVGUARD_ALERT_TEAMS_WEBHOOKS";

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

export class TeamsSink implements Sink {
  readonly type = "teams";

  constructor(
    /** The webhook URL; it carries a signature, so it is a secret and never appears in errors. */
    readonly url: string,
    readonly options: { secrets?: readonly string[]; links?: LinkContext } = {},
  ) {}

  async deliver(message: AlertMessage): Promise<void> {
    const payload = teamsPayload(message, this.options.links);
    assertNoSecrets(payload, this.options.secrets ?? [], "the Teams card");
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new DeliveryError(
        `Teams webhook unreachable: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`,
        true,
      );
    }
    const body = await response.text().catch(() => "");
    if (response.ok) return;
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
    throw new DeliveryError(`Teams webhook answered ${response.status}${body ? `: ${body.slice(0, 200)}` : ""}`, retryable, retryAfterMs);
  }
}

export const sink = {
  type: "teams",
  title: "Teams Workflows webhook (Adaptive Card)",
  mail: false,
  connectionSetting: SETTING,
  settings: {
    KVGUARD_ALERT_TEAMS_WEBHOOKS: teamsWebhooksSetting.optional().register(docs, {
      description: "Teams Workflows webhook URL of each teams channel, comma-separated channel=URL (secret: the URL carries a signature).",
      example: "secops=https://prod-00.westeurope.logic.azure.com:443/workflows/…",
    }),
  },
  checkChannel(channel, values, problem) {
    const hooks = values[SETTING] ?? {};
    if (typeof hooks !== "object" || hooks === null || channel in hooks) return;
    problem(SETTING, `has no webhook for teams channel ${channel} (KVGUARD_ALERT_RULES). Add ${channel}=<the Workflows webhook URL>`);
  },
  create({ channel, env, secrets, links }) {
    const url = teamsWebhooksSetting.parse(env[SETTING] ?? "")[channel];
    if (!url) return Promise.reject(new Error(`${SETTING} has no webhook for teams channel ${channel}`));
    return Promise.resolve(new TeamsSink(url, { secrets, links }));
  },
} satisfies SinkPlugin;
