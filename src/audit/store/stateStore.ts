/**
 * @module Where the audit pipeline keeps what must survive a run (baselines, source watermarks): a small
 * key → JSON interface, with a folder-backed store for the CLI. The Table Storage store is in
 * `tableStateStore.ts`. Values are checked by their owner's schema on load.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

export interface StateStore {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
}

/** Keys become file names: anything outside [A-Za-z0-9._-] is hex-escaped. */
export function safeKey(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]/g, (c) => `~${c.charCodeAt(0).toString(16)}`);
}

/** One gzipped JSON file per key in a folder; written to a temporary name and renamed, so a crash leaves the old state. */
export class FileStateStore implements StateStore {
  constructor(readonly dir: string) {}

  async get(key: string): Promise<unknown> {
    try {
      return JSON.parse(gunzipSync(await readFile(join(this.dir, `${safeKey(key)}.json.gz`))).toString("utf8")) as unknown;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new Error(`cannot read audit state ${key} in ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  async put(key: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${safeKey(key)}.json.gz`);
    await writeFile(`${path}.tmp`, gzipSync(JSON.stringify(value)));
    await rename(`${path}.tmp`, path);
  }
}
