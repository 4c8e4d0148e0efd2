/** @module A call to the local Key Vault's admin API (`/management/...`), over HTTPS trusting its CA. */
import { request } from "node:https";

/** POSTs JSON; resolves with the parsed answer, rejects with the vault's error message on a non-2xx. */
export function postAdmin(vaultUrl: string, ca: string, path: string, body: unknown): Promise<unknown> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${vaultUrl}${path}`,
      { method: "POST", ca, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          let parsed: { error?: { message?: string } } | undefined;
          try {
            parsed = raw ? (JSON.parse(raw) as typeof parsed) : undefined;
          } catch {
            return reject(new Error(`${path}: ${res.statusCode} answered no JSON: ${raw.slice(0, 200)}`));
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(parsed);
          else reject(new Error(`${path}: ${status} ${parsed?.error?.message ?? raw}`));
        });
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}
