/**
 * @module Opt-in throttling: 429 with Retry-After and Key Vault's Throttled body past a vault's limit per
 * 10-second window, 429s not counted, per-vault budgets under a subscription-wide cap of five vaults' worth,
 * and the SDK's own retry riding it out.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { SecretClient } from "@azure/keyvault-secrets";
import { describe, expect, it } from "vitest";
import { LocalKeyVault } from "../../emulator/index.js";
import { WINDOW_MS } from "../../emulator/throttle.js";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { clientOptions } from "../../src/azure/keyVaultClients.js";
import { httpsRequest, type RawResponse } from "../helpers/https.js";

const LIMIT = 5;
const API = "?api%2Dversion=2025-07-01";
const credential = new DevTokenCredential({ name: "throttle-test" });
let bearer: string | undefined;

async function get(kv: LocalKeyVault, vault: string, path = "/secrets"): Promise<RawResponse> {
  bearer ??= `Bearer ${(await credential.getToken("https://vault.azure.net/.default")).token}`;
  return httpsRequest(`${kv.urls[vault]}${path}${API}`, { ca: kv.tls.caPem, headers: { Authorization: bearer } });
}

async function statuses(kv: LocalKeyVault, vault: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await get(kv, vault)).status);
  return out;
}

/** `n` copies of a status. */
const times = (n: number, status: number): number[] => Array<number>(n).fill(status);

function expectThrottled(res: RawResponse): number {
  expect(res.status).toBe(429);
  expect(res.json()).toEqual({
    error: {
      code: "Throttled",
      message: "Request was not processed because too many requests were received. Reason: A generic throttling reason.",
    },
  });
  const retryAfter = Number(res.headers["retry-after"]);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
  return retryAfter;
}

describe("throttling", () => {
  it("is off by default", async () => {
    const kv = await LocalKeyVault.start();
    try {
      const vault = Object.keys(kv.urls)[0]!;
      const all = await Promise.all(Array.from({ length: 40 }, () => get(kv, vault)));
      expect(all.map((r) => r.status)).toEqual(times(40, 200));
      expect(all.some((r) => r.headers["retry-after"] !== undefined)).toBe(false);
    } finally {
      await kv.close();
    }
  });

  // The one test that waits: the SDK honours Retry-After, so this takes up to one window (10 s).
  it("answers 429 past the limit, and the SDK's default retry succeeds after Retry-After", async () => {
    const kv = await LocalKeyVault.start({ vaults: ["throttled"], throttle: { transactions: LIMIT } });
    try {
      const url = kv.urls.throttled!;
      const attempts: number[] = [];
      const record: PipelinePolicy = {
        name: "throttleTestStatuses",
        async sendRequest(request, next) {
          const response = await next(request);
          attempts.push(response.status);
          return response;
        },
      };
      // Default retry options: the SDK's throttling retry waits Retry-After, up to 3 retries.
      const options = clientOptions({ vaultUrl: url, credential, ca: kv.tls.caPem });
      const sdk = new SecretClient(url, credential, { ...options, additionalPolicies: [{ policy: record, position: "perRetry" }] });

      // The challenge (401) is answered before throttling and does not count; the set does.
      await sdk.setSecret("hot", "v");
      expect(attempts).toEqual([401, 200]);
      expect(await statuses(kv, "throttled", LIMIT - 1)).toEqual(times(LIMIT - 1, 200));
      const retryAfter = expectThrottled(await get(kv, "throttled"));
      expect(await statuses(kv, "throttled", 3)).toEqual([429, 429, 429]);

      attempts.length = 0;
      const started = Date.now();
      expect((await sdk.getSecret("hot")).value).toBe("v");
      const waitedMs = Date.now() - started;
      expect(attempts).toEqual([429, 200]);
      expect(waitedMs).toBeGreaterThanOrEqual((retryAfter - 1) * 1000);

      // A fresh window: the retried read was its first request, so LIMIT - 1 more pass and the next is refused.
      expect(await statuses(kv, "throttled", LIMIT)).toEqual([...times(LIMIT - 1, 200), 429]);
    } finally {
      await kv.close();
    }
  });

  it("gives each vault its own budget under a subscription-wide cap of 5x, not counting 429s", async () => {
    const names = ["thr-1", "thr-2", "thr-3", "thr-4", "thr-5", "thr-6"];
    const kv = await LocalKeyVault.start({ vaults: names, throttle: { transactions: LIMIT } });
    try {
      // thr-1 spends its budget, then is refused ten times; refusals must not eat the subscription's budget.
      expect(await statuses(kv, "thr-1", LIMIT + 10)).toEqual([...times(LIMIT, 200), ...times(10, 429)]);
      // Four more vaults each get their full budget despite thr-1 being throttled: 25 requests in all.
      for (const name of names.slice(1, 5)) {
        expect(await statuses(kv, name, LIMIT + 1), name).toEqual([...times(LIMIT, 200), 429]);
      }
      // The sixth vault has not been used, but the subscription has spent 5 x LIMIT.
      expectThrottled(await get(kv, "thr-6"));
    } finally {
      await kv.close();
    }
  });
});
