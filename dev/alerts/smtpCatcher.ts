/**
 * @module A local SMTP catcher for the local stack: it accepts any mail (any login or none), saves it as a
 * `.eml` file under `<outDir>/mail/`, and prints one line: subject, recipients and the file. Given a server
 * certificate it offers STARTTLS, as a real relay on port 587 does; without one it speaks clear text only.
 */
import { mkdir, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { printLine } from "../../src/common/logText.js";
import { stamp, type CatcherOptions, type LocalCatcher } from "./teamsCatcher.js";

export interface SmtpCatcherOptions extends CatcherOptions {
  /** The certificate (for 127.0.0.1) and key STARTTLS upgrades with; none: no STARTTLS. */
  tls?: { certPem: string; keyPem: string };
}

export async function startSmtpCatcher(options: SmtpCatcherOptions): Promise<LocalCatcher> {
  const dir = join(options.outDir, "mail");
  await mkdir(dir, { recursive: true });
  const print = options.print ?? printLine;
  const saved: string[] = [];
  const server = new SMTPServer({
    secure: false,
    ...(options.tls ? { cert: options.tls.certPem, key: options.tls.keyPem } : { disabledCommands: ["STARTTLS"] }),
    authOptional: true,
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        const file = join(dir, `${stamp(saved.length + 1)}.eml`);
        saved.push(file);
        Promise.all([writeFile(file, raw), simpleParser(raw)])
          .then(([, mail]) => {
            const to = session.envelope.rcptTo.map((r) => r.address).join(", ");
            print(`mail: ${mail.subject ?? "(no subject)"} → ${to} → ${relative(process.cwd(), file)}${session.secure ? " (STARTTLS)" : ""}`);
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    saved,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
