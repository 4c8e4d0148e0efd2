/**
 * A local SMTP server (`smtp-server`) that keeps every message and parses it with `mailparser`; with a
 * certificate it offers STARTTLS and records whether each message came over TLS. It can refuse the next
 * messages with a temporary failure, for retry and outbox tests.
 */
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CaughtMail {
  raw: string;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
  /** Whether the session had upgraded with STARTTLS. */
  secure: boolean;
}

export class MailCatcher {
  readonly mails: CaughtMail[] = [];
  port = 0;
  #server!: SMTPServer;
  #failures = 0;

  /** The next `count` messages are refused with a temporary failure (451), as a busy relay does. */
  failNext(count: number): void {
    this.#failures += count;
  }

  /** Accepts again from now on. */
  recover(): void {
    this.#failures = 0;
  }

  /**
   * Listens on `port` (0: a free one); login with any user whose password is `password`. STARTTLS only with
   * `tls` (a certificate for 127.0.0.1 and its key).
   */
  static async start(port = 0, password = "smtp-password-0123", tls?: { certPem: string; keyPem: string }): Promise<MailCatcher> {
    const catcher = new MailCatcher();
    catcher.#server = new SMTPServer({
      secure: false,
      ...(tls ? { cert: tls.certPem, key: tls.keyPem } : { disabledCommands: ["STARTTLS"] }),
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.password === password) callback(null, { user: auth.username });
        else callback(new Error("invalid credentials"));
      },
      onData(stream, session, callback) {
        if (catcher.#failures > 0) {
          catcher.#failures--;
          stream.resume();
          stream.on("end", () => callback(Object.assign(new Error("try again later"), { responseCode: 451 })));
          return;
        }
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          simpleParser(raw)
            .then((parsed) => {
              const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
              catcher.mails.push({ raw, parsed, envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) }, secure: session.secure });
              callback();
            })
            .catch((error: Error) => callback(error));
        });
      },
    });
    await new Promise<void>((resolve) => catcher.#server.listen(port, "127.0.0.1", resolve));
    catcher.port = ((catcher.#server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
    return catcher;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
