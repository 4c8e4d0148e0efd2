/**
 * @module The HTTPS call a key-pair type's validation makes with a key (trusting the local CA against the local
 * stack), and the error a refusal becomes: it names the service, the endpoint and the status, never the key.
 */
import { request } from "node:https";

export class KeyRefused extends Error {}

/** One GET (the service's own retries are the engine's: it tests a new key a few times). */
export async function keyCheck(
  /** The local CA (PEM) against the local stack. */
  ca: string | undefined,
  service: string,
  url: string,
  headers: Record<string, string>,
  accept: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<void> {
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(url, { method: "GET", headers, timeout: 30_000, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${new URL(url).origin} in 30 s`)));
    req.on("error", reject);
    req.end();
  }).catch((error: unknown) => {
    throw new Error(`${service} at ${new URL(url).origin} could not be reached: ${(error as Error).message}`, { cause: error });
  });
  if (!accept(status)) {
    const why = status === 401 || status === 403 ? "the service refused the key" : "the service answered an unexpected status";
    throw new KeyRefused(`${service}: GET ${url.split("?")[0]} answered ${status}: ${why}`);
  }
}
