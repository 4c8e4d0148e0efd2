/**
 * @module HMACs of rotated values, for history: each vault keeps its own HMAC key as a secret in itself
 * (created on first use), so history can prove which value a version holds without holding it.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { SecretClient } from "@azure/keyvault-secrets";
import { statusOf } from "../common/errors.js";
import type { BlobLocks } from "./lock.js";

const CREATE_LOCK_WAIT_MS = 30_000;

export class ValueHmac {
  readonly #keys = new Map<string, Promise<Buffer>>();

  /**
   * @param locks - serialise the key's creation across instances: without them, instances that start at
   *   once on a new vault would each create a key, and their HMACs of the same value would differ
   */
  constructor(
    readonly secretName: string,
    readonly locks?: BlobLocks,
  ) {}

  async of(vault: string, secrets: SecretClient, value: string): Promise<string> {
    let key = this.#keys.get(vault);
    if (!key) {
      key = this.#load(vault, secrets);
      this.#keys.set(vault, key);
      key.catch(() => this.#keys.delete(vault));
    }
    return createHmac("sha256", await key)
      .update(value, "utf8")
      .digest("base64url");
  }

  async #load(vault: string, secrets: SecretClient): Promise<Buffer> {
    const existing = await this.#read(secrets);
    if (existing) return existing;
    const lock = await this.locks?.acquire(vault, this.secretName, CREATE_LOCK_WAIT_MS);
    try {
      // Another instance may have created it while this one waited for the lock.
      const created = await this.#read(secrets);
      if (created) return created;
      const secret = await secrets.setSecret(this.secretName, randomBytes(32).toString("base64"), {
        contentType: "application/octet-stream; kvguard=history-hmac-key",
        tags: { "kvguard-purpose": "history-hmac-key" },
      });
      return Buffer.from(secret.value!, "base64");
    } finally {
      await lock?.release();
    }
  }

  async #read(secrets: SecretClient): Promise<Buffer | undefined> {
    try {
      const existing = await secrets.getSecret(this.secretName);
      if (existing.value) return Buffer.from(existing.value, "base64");
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    return undefined;
  }
}
