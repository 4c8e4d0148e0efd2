/**
 * @module Mail through Azure Communication Services Email (`@azure/communication-email`): `beginSend`
 * (POST /emails:send → 202 with Operation-Location), then the operation is polled until it succeeds or fails.
 * The client takes a connection string (`endpoint=https://…;accesskey=…`) or an endpoint with a token
 * credential (the app's identity), and any pipeline options (a test endpoint's CA through `tlsOptions`). The
 * SDK loads when a sink is built, not with the settings.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { EmailClient, EmailClientOptions, EmailMessage } from "@azure/communication-email";
import { z } from "zod";
import { statusOf } from "../../common/errors.js";
import { docs } from "../../config/docs.js";
import type { LinkContext } from "../links.js";
import type { AlertMessage } from "../message.js";
import { emailContent } from "../render/email.js";
import { assertNoSecrets } from "../secretGuard.js";
import { DeliveryError, type Sink, type SinkPlugin } from "./sink.js";

const SETTING = "KVGUARD_ALERT_ACS_CONNECTION";

/** A connection string (`endpoint=…;accesskey=…`), or the resource's https endpoint alone (the app's identity). */
export const acsConnectionSetting = z.string().transform((raw, ctx): { connectionString: string } | { endpoint: string } => {
  const endpoint = /(?:^|;)\s*endpoint=([^;]+)/i.exec(raw)?.[1]?.trim();
  const hasKey = /(?:^|;)\s*accesskey=[^;]+/i.test(raw);
  if (endpoint && hasKey && /^https:\/\//i.test(endpoint)) return { connectionString: raw };
  if (!endpoint && /^https:\/\/[^;\s]+$/i.test(raw.trim())) return { endpoint: raw.trim() };
  ctx.addIssue({
    code: "custom",
    message:
      "is not an ACS connection string. Set it to endpoint=https://<resource>.communication.azure.com/;accesskey=<key>, or to the resource's https endpoint alone to use the app's managed identity",
  });
  return z.NEVER;
});

export interface AcsEmailSinkOptions {
  /** A verified sender address of the ACS Email resource (DoNotReply@…azurecomm.net or a custom domain). */
  from: string;
  to: readonly string[];
  secrets?: readonly string[];
  links?: LinkContext;
  client?: EmailClientOptions;
  /** How often the send operation is polled (the service's Retry-After wins when it sends one). */
  pollIntervalMs?: number;
}

export class AcsEmailSink implements Sink {
  readonly type = "acs";

  private constructor(
    readonly client: EmailClient,
    readonly options: AcsEmailSinkOptions,
  ) {}

  /**
   * @param connection - a connection string, or `{ endpoint, credential }` for the app's identity
   * @param options - sender, recipients and client options
   */
  static async connect(connection: string | { endpoint: string; credential: TokenCredential }, options: AcsEmailSinkOptions): Promise<AcsEmailSink> {
    const { EmailClient } = await import("@azure/communication-email");
    const clientOptions: EmailClientOptions = { retryOptions: { maxRetries: 2 }, ...options.client };
    const client =
      typeof connection === "string" ? new EmailClient(connection, clientOptions) : new EmailClient(connection.endpoint, connection.credential, clientOptions);
    return new AcsEmailSink(client, options);
  }

  async deliver(message: AlertMessage): Promise<void> {
    const mail = emailContent(message, this.options.links);
    assertNoSecrets(mail, this.options.secrets ?? [], "the mail");
    const email: EmailMessage = {
      senderAddress: this.options.from,
      recipients: { to: this.options.to.map((address) => ({ address })) },
      content: { subject: mail.subject, plainText: mail.text, html: mail.html },
      headers: { "X-Kvguard-Message": message.id },
    };
    try {
      const poller = await this.client.beginSend(email, { updateIntervalInMs: this.options.pollIntervalMs ?? 2000 });
      const result = await poller.pollUntilDone();
      if (result.status !== "Succeeded") {
        throw new DeliveryError(`ACS Email operation ${result.id} ended ${result.status}${result.error?.message ? `: ${result.error.message}` : ""}`, false);
      }
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      const status = statusOf(error);
      const retryable = status === undefined || status === 408 || status === 429 || status >= 500;
      throw new DeliveryError(`ACS Email send failed${status ? ` (${status})` : ""}: ${(error as Error).message}`, retryable, undefined, { cause: error });
    }
  }
}

export const sink = {
  type: "acs",
  title: "Azure Communication Services Email",
  mail: true,
  connectionSetting: SETTING,
  settings: {
    KVGUARD_ALERT_ACS_CONNECTION: acsConnectionSetting.optional().register(docs, {
      description:
        "The Azure Communication Services resource acs channels send through: its connection string, or its endpoint alone to use the app's managed identity.",
      example: "https://kvguard-mail.europe.communication.azure.com",
    }),
  },
  checkChannel(channel, values, problem) {
    if (values[SETTING] === undefined)
      problem(
        SETTING,
        `is not set, but KVGUARD_ALERT_RULES sends channel ${channel} through ACS Email. Set it to the resource's connection string or endpoint`,
      );
  },
  async create({ env, from, to, secrets, links, credential, ca }) {
    const acs = acsConnectionSetting.parse(env[SETTING]);
    return AcsEmailSink.connect("connectionString" in acs ? acs.connectionString : { endpoint: acs.endpoint, credential }, {
      from: from ?? "",
      to,
      secrets,
      links,
      ...(ca ? { client: { tlsOptions: { ca } } } : {}),
    });
  },
} satisfies SinkPlugin;
