/**
 * @module HMACs of rotated values, for history: each vault keeps its own HMAC key as a secret in itself
 * (created on first use), so history can prove which value a version holds without holding it.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { SecretClient } from "@azure/keyvault-secrets";
import { statusOf } from "../common/errors.js";

export class ValueHmac {
  readonly #keys = new Map<string, Promise<Buffer>>();

  constructor(readonly secretName: string) {}

  async of(vault: string, secrets: SecretClient, value: string): Promise<string> {
    let key = this.#keys.get(vault);
    if (!key) {
      key = this.#load(secrets);
      this.#keys.set(vault, key);
      key.catch(() => this.#keys.delete(vault));
    }
    return createHmac("sha256", await key).update(value, "utf8").digest("base64url");
  }

  async #load(secrets: SecretClient): Promise<Buffer> {
    try {
      const existing = await secrets.getSecret(this.secretName);
      if (existing.value) return Buffer.from(existing.value, "base64");
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    const created = await secrets.setSecret(this.secretName, randomBytes(32).toString("base64"), {
      contentType: "application/octet-stream; kvguard=history-hmac-key",
      tags: { "kvguard-purpose": "history-hmac-key" },
    });
    return Buffer.from(created.value!, "base64");
  }
}
