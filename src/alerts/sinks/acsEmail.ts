/**
 * @module Mail through Azure Communication Services Email (`@azure/communication-email`): `beginSend`
 * (POST /emails:send → 202 with Operation-Location), then the operation is polled until it succeeds or fails.
 * The client takes a connection string (`endpoint=https://…;accesskey=…`) or an endpoint with a token
 * credential, and any pipeline options (a test endpoint's CA through `tlsOptions`).
 */
import type { TokenCredential } from "@azure/core-auth";
import { EmailClient, type EmailClientOptions, type EmailMessage } from "@azure/communication-email";
import { statusOf } from "../../common/errors.js";
import { assertNoSecrets } from "../secretGuard.js";
import type { LinkContext } from "../links.js";
import type { AlertMessage } from "../message.js";
import { emailContent } from "../render/email.js";
import { DeliveryError, type Sink } from "./sink.js";

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
  readonly #client: EmailClient;

  /**
   * @param connection - a connection string, or `{ endpoint, credential }` for the app's identity
   * @param options - sender, recipients and client options
   */
  constructor(
    connection: string | { endpoint: string; credential: TokenCredential },
    readonly options: AcsEmailSinkOptions,
  ) {
    const clientOptions: EmailClientOptions = { retryOptions: { maxRetries: 2 }, ...options.client };
    this.#client =
      typeof connection === "string" ? new EmailClient(connection, clientOptions) : new EmailClient(connection.endpoint, connection.credential, clientOptions);
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
      const poller = await this.#client.beginSend(email, { updateIntervalInMs: this.options.pollIntervalMs ?? 2000 });
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
