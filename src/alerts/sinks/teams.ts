/**
 * @module Teams through a Workflows (Power Automate) webhook: POST the message payload with its Adaptive
 * Card. The webhook answers 202 (or 200); 429 carries Retry-After, which delivery honours. Each teams channel
 * has its own webhook in KVGUARD_ALERT_TEAMS_WEBHOOKS.
 */
import { TEAMS_WEBHOOKS, teamsSettings, teamsWebhooksSetting } from "../../config/sinks/teams.js";
import type { LinkContext } from "../links.js";
import type { AlertMessage } from "../message.js";
import { teamsPayload } from "../render/card.js";
import { assertNoSecrets } from "../secretGuard.js";
import { DeliveryError, parseRetryAfter, type Sink, type SinkPlugin } from "./sink.js";

const TIMEOUT_MS = 15_000;

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
  ...teamsSettings,
  create({ channel, env, secrets, links }) {
    const url = teamsWebhooksSetting.parse(env[TEAMS_WEBHOOKS] ?? "")[channel];
    if (!url) return Promise.reject(new Error(`${TEAMS_WEBHOOKS} has no webhook for teams channel ${channel}`));
    return Promise.resolve(new TeamsSink(url, { secrets, links }));
  },
} satisfies SinkPlugin;
