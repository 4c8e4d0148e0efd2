/**
 * @module Mail through SMTP with nodemailer: HTML body and plain-text alternative. The connection comes from
 * `KVGUARD_ALERT_SMTP_CONNECTION`: `smtps://user:password@host:465` is TLS from the start; `smtp://host:587`
 * must upgrade with STARTTLS before anything is sent (`requireTLS`), unless the operator set
 * `KVGUARD_ALERT_SMTP_STARTTLS=optional`. The certificate and host name are always checked. Only the URL's
 * scheme, login, host and port are read: nodemailer would take transport options from its query.
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
  /** STARTTLS on `smtp://` (default required); `optional` sends in clear text when the server offers none. */
  startTls?: "required" | "optional";
  /** A CA to trust besides the system's (the local stack's, a test server's). */
  ca?: string;
}

/** Temporary SMTP failures (4xx replies, network) are worth retrying; 5xx replies are not. */
function retryableSmtp(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return code === undefined || code < 500;
}

/** nodemailer's options from the connection URL: scheme, login, host and port, nothing from its query. */
function transportOptions(connection: string, options: SmtpSinkOptions): SMTPTransport.Options {
  const url = new URL(connection);
  const secure = url.protocol === "smtps:";
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && options.startTls !== "optional",
    ...(url.username || url.password ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    tls: { rejectUnauthorized: true, ...(options.ca ? { ca: options.ca } : {}) },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  };
}

export class SmtpSink implements Sink {
  readonly type = "smtp";
  readonly #transport: Transporter;
  readonly #startTlsRequired: boolean;

  constructor(
    connection: string,
    readonly options: SmtpSinkOptions,
  ) {
    const transport = transportOptions(connection, options);
    this.#startTlsRequired = transport.requireTLS === true;
    this.#transport = nodemailer.createTransport(transport);
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
      const reason = (error as Error).message;
      const tls = (error as { code?: string }).code === "ETLS";
      const why =
        tls && this.#startTlsRequired
          ? `the connection could not be secured with STARTTLS (${reason}); kvguard sends mail over smtp:// only once it is. Use smtps://, fix STARTTLS or the certificate on the server, or set KVGUARD_ALERT_SMTP_STARTTLS=optional to allow clear text`
          : reason;
      throw new DeliveryError(`SMTP delivery failed: ${why}`, retryableSmtp(error), undefined, { cause: error });
    }
  }

  close(): void {
    this.#transport.close();
  }
}
