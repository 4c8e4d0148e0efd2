/**
 * @module A local SMTP server (`smtp-server`) for the local stack and the tests: it keeps every mail parsed
 * (`mailparser`) with its envelope and whether it came over STARTTLS, and, given a folder, saves it as a
 * `.eml` file under `<outDir>/mail/` and prints one line: subject, recipients and the file. Given a
 * certificate it offers STARTTLS, as a real relay on port 587 does; without one it speaks clear text only.
 * With a password it requires a login with it; without, it takes any login or none.
 */
import { mkdir, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { stamp, type CatcherOptions } from "./teamsCatcher.js";

export interface SmtpCatcherOptions extends CatcherOptions {
  /** The certificate (for 127.0.0.1) and key STARTTLS upgrades with; none: no STARTTLS. */
  tls?: { certPem: string; keyPem: string };
  /** The password every login must give; none: any login, or none. */
  password?: string;
}

export interface CaughtMail {
  raw: string;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
  /** Whether the session had upgraded with STARTTLS. */
  secure: boolean;
}

export class SmtpCatcher {
  readonly mails: CaughtMail[] = [];
  /** Files saved so far. */
  readonly saved: string[] = [];
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

  /** `smtp://127.0.0.1:PORT`, for KVGUARD_ALERT_SMTP_CONNECTION. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  static async start(options: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
    const catcher = new SmtpCatcher();
    const dir = options.outDir && join(options.outDir, "mail");
    if (dir) await mkdir(dir, { recursive: true });
    const { password } = options;
    catcher.#server = new SMTPServer({
      secure: false,
      ...(options.tls ? { cert: options.tls.certPem, key: options.tls.keyPem } : { disabledCommands: ["STARTTLS"] }),
      authOptional: password === undefined,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (password === undefined || auth.password === password) callback(null, { user: auth.username });
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
          const raw = Buffer.concat(chunks);
          const file = dir ? join(dir, `${stamp(catcher.saved.length + 1)}.eml`) : undefined;
          if (file) catcher.saved.push(file);
          Promise.all([file ? writeFile(file, raw) : undefined, simpleParser(raw)])
            .then(([, parsed]) => {
              const to = session.envelope.rcptTo.map((r) => r.address);
              const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
              catcher.mails.push({ raw: raw.toString("utf8"), parsed, envelope: { from, to }, secure: session.secure });
              if (file)
                options.print?.(
                  `mail: ${parsed.subject ?? "(no subject)"} → ${to.join(", ")} → ${relative(process.cwd(), file)}${session.secure ? " (STARTTLS)" : ""}`,
                );
              callback();
            })
            .catch((error: Error) => callback(error));
        });
      },
    });
    await new Promise<void>((resolve) => catcher.#server.listen(options.port ?? 0, "127.0.0.1", resolve));
    catcher.port = (catcher.#server as unknown as { server: { address(): AddressInfo } }).server.address().port;
    return catcher;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
