/**
 * A local HTTP receiver standing in for a Teams Workflows webhook: it answers each POST with the status the
 * test scripts (500, 429 with Retry-After, then 202), and checks every payload: the message envelope, and
 * the Adaptive Card validated by the `adaptivecards` package.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cardErrors } from "./cardValidator.js";

export interface ReceivedCard {
  atMs: number;
  status: number;
  payload: { type?: string; attachments?: { contentType?: string; content?: Record<string, unknown> }[] };
  /** Envelope and card problems; a well-formed message has none. */
  errors: string[];
  raw: string;
}

export type Answer = number | { status: number; retryAfter: string };

export class TeamsReceiver {
  readonly received: ReceivedCard[] = [];
  url = "";
  #server!: Server;
  #answers: Answer[] = [];

  static async start(): Promise<TeamsReceiver> {
    const receiver = new TeamsReceiver();
    receiver.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const answer = receiver.#answers.shift() ?? 202;
        const status = typeof answer === "number" ? answer : answer.status;
        let payload: ReceivedCard["payload"] = {};
        const errors: string[] = [];
        try {
          payload = JSON.parse(raw) as ReceivedCard["payload"];
        } catch {
          errors.push("body is not JSON");
        }
        if (req.headers["content-type"] !== "application/json") errors.push(`content-type ${req.headers["content-type"]}`);
        if (payload.type !== "message") errors.push(`type ${String(payload.type)}`);
        const attachment = payload.attachments?.[0];
        if (payload.attachments?.length !== 1 || attachment?.contentType !== "application/vnd.microsoft.card.adaptive") errors.push("not one Adaptive Card attachment");
        if (attachment?.content?.version !== "1.5") errors.push(`card version ${String(attachment?.content?.version)}`);
        if (attachment?.content) errors.push(...cardErrors(attachment.content));
        receiver.received.push({ atMs: Date.now(), status, payload, errors, raw });
        res.writeHead(status, typeof answer === "number" ? {} : { "Retry-After": answer.retryAfter });
        res.end(status >= 400 ? JSON.stringify({ error: { code: String(status), message: "scripted failure" } }) : "");
      });
    });
    await new Promise<void>((resolve) => receiver.#server.listen(0, "127.0.0.1", resolve));
    receiver.url = `http://127.0.0.1:${(receiver.#server.address() as AddressInfo).port}/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=c2lnbmF0dXJlLXNlY3JldA`;
    return receiver;
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
