/**
 * @module Backup blobs: opaque to clients, as Key Vault's are. The object is sealed with AES-256-GCM under
 * the emulator's own key, so a backup that reaches a log or a test snapshot shows no secret value. A blob that
 * does not open (altered, another kind's, another emulator's) gets Key Vault's own answer to a corrupt backup.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { z } from "zod";
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

  /** The sealed object, checked against `schema`; anything else is Key Vault's corrupt-backup error. */
  open<T>(kind: string, blob: string, schema: z.ZodType<T>): T {
    let data: unknown;
    try {
      const raw = Buffer.from(blob, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(`${MAGIC}:${kind}`));
      decipher.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      data = JSON.parse(text) as unknown;
    } catch {
      throw errors.corruptBackup();
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw errors.corruptBackup();
    return parsed.data;
  }
}
