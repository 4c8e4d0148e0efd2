/**
 * @module A local stand-in for a Teams Workflows webhook, for the local stack and the tests: it checks each
 * message's envelope (JSON, one Adaptive Card 1.5 attachment) plus what `check` adds, answers 202 or what was
 * scripted (500, 429 with Retry-After), keeps what it received, and, given a folder, saves each message as JSON
 * under `<outDir>/teams/` and prints one line: severity, title and the file.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";

export interface CatcherOptions {
  /** Where files go (`out/alerts`), a subfolder per catcher; none: nothing is saved. */
  outDir?: string;
  /** Loopback port (0, default: a free one). */
  port?: number;
  print?: (line: string) => void;
}

export interface TeamsCatcherOptions extends CatcherOptions {
  /** More problems to find in a payload (the tests validate the card with the `adaptivecards` package). */
  check?: (payload: TeamsPayload) => string[];
  /** A `sig` for the webhook URL, as Teams' own carry (kvguard must keep it out of every alert). */
  sig?: string;
}

export interface TeamsPayload {
  type?: string;
  attachments?: { contentType?: string; content?: Record<string, unknown> }[];
}

export interface ReceivedCard {
  atMs: number;
  status: number;
  payload: TeamsPayload;
  /** Envelope and card problems; a well-formed message has none. */
  errors: string[];
  raw: string;
}

export type Answer = number | { status: number; retryAfter: string };

/** A file name that sorts by arrival and never collides. */
export function stamp(sequence: number): string {
  return `${new Date().toISOString().replace(/[:.]/g, "-")}-${String(sequence).padStart(4, "0")}`;
}

/** The band's two lines (`HIGH · Rotation failed`, the title), from a kvguard card. */
function headline(payload: TeamsPayload): string {
  const body = (payload.attachments?.[0]?.content as { body?: { items?: { text?: string }[] }[] } | undefined)?.body;
  return (
    (body?.[0]?.items ?? [])
      .map((item) => item.text ?? "")
      .filter(Boolean)
      .join(": ") || "a message without a kvguard card"
  );
}

function envelopeErrors(req: IncomingMessage, payload: TeamsPayload): string[] {
  const errors: string[] = [];
  if (req.headers["content-type"] !== "application/json") errors.push(`content-type ${req.headers["content-type"]}`);
  if (payload.type !== "message") errors.push(`type ${String(payload.type)}`);
  const attachment = payload.attachments?.[0];
  if (payload.attachments?.length !== 1 || attachment?.contentType !== "application/vnd.microsoft.card.adaptive")
    errors.push("not one Adaptive Card attachment");
  if (attachment?.content?.version !== "1.5") errors.push(`card version ${String(attachment?.content?.version)}`);
  return errors;
}

export class TeamsCatcher {
  readonly received: ReceivedCard[] = [];
  /** Files saved so far. */
  readonly saved: string[] = [];
  url = "";
  #server!: Server;
  #answers: Answer[] = [];

  static async start(options: TeamsCatcherOptions = {}): Promise<TeamsCatcher> {
    const catcher = new TeamsCatcher();
    const dir = options.outDir && join(options.outDir, "teams");
    if (dir) await mkdir(dir, { recursive: true });
    catcher.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        let payload: TeamsPayload | undefined;
        try {
          payload = JSON.parse(raw) as TeamsPayload;
        } catch {
          catcher.received.push({ atMs: Date.now(), status: 400, payload: {}, errors: ["body is not JSON"], raw });
          res.writeHead(400).end("the body is not JSON");
          return;
        }
        const answer = catcher.#answers.shift() ?? 202;
        const status = typeof answer === "number" ? answer : answer.status;
        const errors = [...envelopeErrors(req, payload), ...(options.check?.(payload) ?? [])];
        catcher.received.push({ atMs: Date.now(), status, payload, errors, raw });
        const reply = () => {
          res.writeHead(status, typeof answer === "number" ? {} : { "Retry-After": answer.retryAfter });
          res.end(status >= 400 ? JSON.stringify({ error: { code: String(status), message: "scripted failure" } }) : "");
        };
        if (!dir || status >= 300) return reply();
        const file = join(dir, `${stamp(catcher.saved.length + 1)}.json`);
        catcher.saved.push(file);
        writeFile(file, `${JSON.stringify(payload, null, 2)}\n`)
          .then(() => {
            options.print?.(`teams: ${headline(payload)} → ${relative(process.cwd(), file)}`);
            reply();
          })
          .catch((error: Error) => res.writeHead(500).end(error.message));
      });
    });
    await new Promise<void>((resolve) => catcher.#server.listen(options.port ?? 0, "127.0.0.1", resolve));
    const { port } = catcher.#server.address() as AddressInfo;
    const query = options.sig ? `?api-version=2016-06-01&sig=${options.sig}` : "";
    catcher.url = `http://127.0.0.1:${port}/workflows/local/triggers/manual/paths/invoke${query}`;
    return catcher;
  }

  /** The next answers, in order; 202 after they run out. */
  script(...answers: Answer[]): void {
    this.#answers.push(...answers);
  }

  /** Drops the answers not yet given: 202 from now on. */
  unscript(): void {
    this.#answers = [];
  }

  /** Cards of the messages answered 2xx. */
  delivered(): Record<string, unknown>[] {
    return this.received.filter((r) => r.status < 300).map((r) => r.payload.attachments![0]!.content!);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
