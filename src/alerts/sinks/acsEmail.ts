/**
 * @module Mail through Azure Communication Services Email (`@azure/communication-email`): `beginSend`
 * (POST /emails:send → 202 with Operation-Location), then the operation is polled until it succeeds or fails.
 * The client takes a connection string (`endpoint=https://…;accesskey=…`) or an endpoint with a token
 * credential (the app's identity), and any pipeline options (a test endpoint's CA through `tlsOptions`). The
 * SDK loads when a sink is built, not with the settings.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { EmailClient, EmailClientOptions, EmailMessage } from "@azure/communication-email";
import { statusOf } from "../../common/errors.js";
import { ACS_CONNECTION, acsConnectionSetting, acsSettings } from "../../config/sinks/acs.js";
import type { LinkContext } from "../links.js";
import type { AlertMessage } from "../message.js";
import { emailContent } from "../render/email.js";
import { assertNoSecrets } from "../secretGuard.js";
import { DeliveryError, type Sink, type SinkPlugin } from "./sink.js";

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
  ...acsSettings,
  async create({ env, from, to, secrets, links, credential, ca }) {
    const acs = acsConnectionSetting.parse(env[ACS_CONNECTION]);
    return AcsEmailSink.connect("connectionString" in acs ? acs.connectionString : { endpoint: acs.endpoint, credential }, {
      from: from ?? "",
      to,
      secrets,
      links,
      ...(ca ? { client: { tlsOptions: { ca } } } : {}),
    });
  },
} satisfies SinkPlugin;
