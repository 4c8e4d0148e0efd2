/**
 * @module A certificate renewed: defined for automation to subscribe to; rotation history holds no certificate
 * renewals yet, so nothing emits it until it does (docs/export.md says so).
 */
import { z } from "zod";
import { isoTime, objectName, vaultName } from "./common.js";

export const certificateRenewed = z
  .strictObject({
    vault: vaultName,
    name: objectName.describe("the certificate"),
    version: z.string().describe("the version issued by the renewal"),
    previousVersion: z.string().optional(),
    at: isoTime,
    expiresOn: isoTime.optional().describe("the new version's expiry"),
  })
  .describe("A certificate was renewed: a new version is current.");
