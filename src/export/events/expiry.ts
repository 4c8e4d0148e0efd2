/**
 * @module An expiry notice: the current version of a key, secret or certificate that nothing will rotate or
 * renew in time reached a notice stage (KVGUARD_EXPIRY_NOTICE_DAYS) or expired. From the rotation sweep's
 * notices (src/notices), on the vault's clock: one event per object version and stage.
 */
import { z } from "zod";
import { isoTime, objectName, objectType, vaultName } from "./common.js";

export const expiryNotice = z
  .strictObject({
    vault: vaultName,
    objectType,
    name: objectName,
    objectId: z.string().describe("the object's id (URL without version)"),
    version: z.string().min(1).max(64).describe("the version that expires"),
    status: z.enum(["expiring", "expired"]),
    stage: z.union([z.number().int().positive(), z.literal("expired")]).describe("the notice stage reached: days before expiry, or expired"),
    expiresOn: isoTime,
    daysLeft: z.number().int().describe("whole days from noticedAt to the expiry; negative once expired"),
    why: z.string().max(2000).describe("why nothing renews it in time"),
    csr: z
      .enum(["ready", "gone", "failed"])
      .optional()
      .describe("an Unknown-issuer certificate whose policy entry asks for a CSR: whether its pending operation holds one"),
    noticedAt: isoTime.describe("when the rotation sweep noticed it (the vault's clock)"),
  })
  .describe("A credential nothing renews in time expires soon or has expired.");
