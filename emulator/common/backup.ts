/**
 * @module Backup blobs: opaque to clients, as Key Vault's are. The object is sealed with AES-256-GCM under
 * the emulator's own key, so a backup that reaches a log or a test snapshot shows no secret value.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { errors } from "../http/errors.js";

const MAGIC = "kvguard-local-backup-v1";

export class BackupSealer {
  constructor(readonly key: Buffer = randomBytes(32)) {
    if (key.length !== 32) throw new Error("a backup key is 32 bytes");
  }

  seal(kind: string, data: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(`${MAGIC}:${kind}`));
    const body = Buffer.concat([cipher.update(JSON.stringify(data), "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
  }

  open(kind: string, blob: string): unknown {
    try {
      const raw = Buffer.from(blob, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(`${MAGIC}:${kind}`));
      decipher.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      return JSON.parse(text) as unknown;
    } catch {
      throw errors.badParameter(`The ${kind} backup blob is corrupt or was not made by this key vault.`);
    }
  }
}
