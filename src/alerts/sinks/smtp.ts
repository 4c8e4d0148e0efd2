/**
 * @module Mail through SMTP with nodemailer: HTML body and plain-text alternative. The connection comes from
 * `KVGUARD_ALERT_SMTP_CONNECTION` (`smtps://user:password@host:465`, or `smtp://host:587`, STARTTLS when the
 * server offers it).
 */
import nodemailer, { type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { assertNoSecrets } from "../secretGuard.js";
import type { LinkContext } from "../links.js";
import type { AlertMessage } from "../message.js";
import { emailContent } from "../render/email.js";
import { DeliveryError, type Sink } from "./sink.js";

export interface SmtpSinkOptions {
  from: string;
  to: readonly string[];
  secrets?: readonly string[];
  links?: LinkContext;
  /** Extra TLS options (a test server's CA). */
  tls?: { ca?: string; rejectUnauthorized?: boolean };
}

/** Temporary SMTP failures (4xx replies, network) are worth retrying; 5xx replies are not. */
function retryableSmtp(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return code === undefined || code < 500;
}

export class SmtpSink implements Sink {
  readonly type = "smtp";
  readonly #transport: Transporter;

  constructor(
    connection: string,
    readonly options: SmtpSinkOptions,
  ) {
    this.#transport = nodemailer.createTransport({
      url: connection,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      ...(options.tls ? { tls: options.tls } : {}),
    } as SMTPTransport.Options);
  }

  async deliver(message: AlertMessage): Promise<void> {
    const mail = emailContent(message, this.options.links);
    assertNoSecrets(mail, this.options.secrets ?? [], "the mail");
    try {
      await this.#transport.sendMail({
        from: this.options.from,
        to: [...this.options.to],
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: { "X-Kvguard-Message": message.id },
      });
    } catch (error) {
      throw new DeliveryError(`SMTP delivery failed: ${(error as Error).message}`, retryableSmtp(error), undefined, { cause: error });
    }
  }

  close(): void {
    this.#transport.close();
  }
}
