/**
 * @module Writes audit records as JSON lines under the storage-archive layout Azure uses:
 * `resourceId=/SUBSCRIPTIONS/.../VAULTS/NAME/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json`, one file per vault-hour.
 * Streams stay open per hour, so a busy vault costs one buffered write per request.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname, join, sep } from "node:path";
import type { AuditRecord } from "./record.js";

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** The blob path of the hour a record belongs to, relative to the container root. */
export function archivePath(resourceId: string, time: Date): string {
  const y = time.getUTCFullYear();
  return `resourceId=${resourceId.toUpperCase()}/y=${y}/m=${pad(time.getUTCMonth() + 1)}/d=${pad(time.getUTCDate())}/h=${pad(time.getUTCHours())}/m=00/PT1H.json`;
}

export class AuditWriter {
  readonly #streams = new Map<string, WriteStream>();
  /** Files closed when their hour passed, still flushing: `close()` waits for them too. */
  readonly #closing = new Set<Promise<void>>();

  constructor(readonly rootDir: string) {}

  write(record: AuditRecord): void {
    const path = join(this.rootDir, archivePath(record.resourceId, new Date(record.time)));
    let stream = this.#streams.get(path);
    if (!stream) {
      // Only the current hour of each vault stays open; older ones are closed as time moves on.
      // The trailing separator keeps vault LOCAL from closing vault LOCAL2's file.
      const vaultDir = join(this.rootDir, `resourceId=${record.resourceId.toUpperCase()}`) + sep;
      for (const [open, s] of this.#streams) {
        if (open.startsWith(vaultDir)) {
          void this.#end(s);
          this.#streams.delete(open);
        }
      }
      mkdirSync(dirname(path), { recursive: true });
      stream = createWriteStream(path, { flags: "a" });
      // A failing disk must not take the emulator down; the record is lost and said so.
      stream.on("error", (error) => console.error(`local Key Vault: cannot write audit log ${path}:`, error.message));
      this.#streams.set(path, stream);
    }
    stream.write(JSON.stringify(record) + "\n");
  }

  #end(stream: WriteStream): Promise<void> {
    const done = new Promise<void>((resolve) => {
      stream.once("error", () => resolve());
      stream.end(resolve);
    });
    this.#closing.add(done);
    void done.then(() => this.#closing.delete(done));
    return done;
  }

  /** Flushes and closes every open file. */
  async close(): Promise<void> {
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    await Promise.all([...streams.map((s) => this.#end(s)), ...this.#closing]);
  }
}
