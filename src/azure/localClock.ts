/**
 * @module The local Key Vault's clock, as kvguard sees it: real time plus the emulator's offset, read from
 * its admin API. The emulator can move time forward; kvguard must judge "due" on the same clock as the
 * `created` and `exp` dates the vault reports.
 */
import { request } from "node:https";
import type { Clock } from "../common/clock.js";

function getJson(url: string, ca: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => {
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(new Error(`${url} did not answer JSON (status ${res.statusCode})`, { cause: error }));
        }
      });
    })
      .on("error", reject)
      .end();
  });
}

export class LocalVaultClock implements Clock {
  #offsetMs = 0;

  constructor(
    readonly vaultUrl: string,
    readonly ca: string,
  ) {}

  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Reads the emulator's current offset; call before each sweep or job. */
  async sync(): Promise<void> {
    const clock = (await getJson(`${this.vaultUrl}/management/clock`, this.ca)) as { offsetSeconds?: unknown };
    if (typeof clock.offsetSeconds === "number") this.#offsetMs = clock.offsetSeconds * 1000;
  }
}
