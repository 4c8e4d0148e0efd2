/**
 * @module An expiry notice: an enabled key, secret or certificate whose current version expires within the
 * compliance report's warning window, or has expired. Taken from the report snapshot's expiry checks, once per
 * object version's expiry and status.
 */
import { z } from "zod";
import { isoTime, objectName, objectType, vaultName } from "./common.js";

export const expiryNotice = z
  .strictObject({
    vault: vaultName,
    objectType,
    name: objectName,
    objectId: z.string().describe("the object's id (URL without version)"),
    status: z.enum(["expiring", "expired"]),
    expiresOn: isoTime,
    daysLeft: z.number().int().nullable().describe("whole days from the report's time to the expiry; negative once expired"),
    checkId: z.string().describe("the compliance check that noticed it"),
    reportedAt: isoTime.describe("when the report that noticed it was made"),
  })
  .describe("A credential expires soon or has expired.");
