/**
 * @module A local stand-in for a Teams Workflows webhook, for the local stack: it takes each message (202),
 * saves it as JSON under `<outDir>/teams/`, and prints one line: severity, title and the file.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { printLine } from "../../src/common/logText.js";

export interface LocalCatcher {
  /** The webhook URL (Teams) or `smtp://` URL (mail) kvguard sends to. */
  url: string;
  /** Files saved so far. */
  saved: string[];
  close(): Promise<void>;
}

export interface CatcherOptions {
  /** Where files go (`out/alerts`); a subfolder per catcher. */
  outDir: string;
  /** Loopback port (0, default: a free one). */
  port?: number;
  print?: (line: string) => void;
}

/** The band's two lines (`HIGH · Rotation failed`, the title), from a kvguard card. */
function headline(payload: unknown): string {
  const card = (payload as { attachments?: { content?: { body?: { items?: { text?: string }[] }[] } }[] }).attachments?.[0]?.content;
  const band = card?.body?.[0]?.items ?? [];
  return band.map((item) => item.text ?? "").filter(Boolean).join(": ") || "a message without a kvguard card";
}

/** A file name that sorts by arrival and never collides. */
export function stamp(sequence: number): string {
  return `${new Date().toISOString().replace(/[:.]/g, "-")}-${String(sequence).padStart(4, "0")}`;
}

export async function startTeamsCatcher(options: CatcherOptions): Promise<LocalCatcher> {
  const dir = join(options.outDir, "teams");
  await mkdir(dir, { recursive: true });
  const print = options.print ?? printLine;
  const saved: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400).end("the body is not JSON");
        return;
      }
      const file = join(dir, `${stamp(saved.length + 1)}.json`);
      saved.push(file);
      writeFile(file, `${JSON.stringify(payload, null, 2)}\n`)
        .then(() => {
          print(`teams: ${headline(payload)} → ${relative(process.cwd(), file)}`);
          res.writeHead(202).end();
        })
        .catch((error: Error) => res.writeHead(500).end(error.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/workflows/local/triggers/manual/paths/invoke`,
    saved,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
