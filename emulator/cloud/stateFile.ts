/**
 * @module A provider's state as one JSON file in the local stack's state folder (`web.json`,
 * `eventgrid.json`...): read at start, rewritten whole after each change (a temporary file renamed over
 * the old one, so a kill mid-write leaves the previous state), readable by its owner only.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class StateFile<T> {
  readonly #path?: string;

  /** No folder: state lives in memory only. */
  constructor(stateDir: string | undefined, name: string) {
    if (stateDir) this.#path = join(stateDir, name);
  }

  /** The saved state; undefined when there is none (or no folder). A file that is not JSON throws. */
  read(): T | undefined {
    if (!this.#path) return undefined;
    try {
      return JSON.parse(readFileSync(this.#path, "utf8")) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new Error(`${this.#path} is not a local cloud state file: ${(error as Error).message}`, { cause: error });
    }
  }

  write(state: T): void {
    if (!this.#path) return;
    const temporary = `${this.#path}.tmp`;
    writeFileSync(temporary, JSON.stringify(state, null, 1), { mode: 0o600 });
    renameSync(temporary, this.#path);
  }
}
