/** A local SMTP server (`smtp-server`) that keeps every message and parses it with `mailparser`. */
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CaughtMail {
  raw: string;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
}

export class MailCatcher {
  readonly mails: CaughtMail[] = [];
  port = 0;
  #server!: SMTPServer;

  /** Listens on `port` (0: a free one); no TLS, login with any user whose password is `password`. */
  static async start(port = 0, password = "smtp-password-0123"): Promise<MailCatcher> {
    const catcher = new MailCatcher();
    catcher.#server = new SMTPServer({
      secure: false,
      disabledCommands: ["STARTTLS"],
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.password === password) callback(null, { user: auth.username });
        else callback(new Error("invalid credentials"));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          simpleParser(raw)
            .then((parsed) => {
              const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
              catcher.mails.push({ raw, parsed, envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) } });
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
