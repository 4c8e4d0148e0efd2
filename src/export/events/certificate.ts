/**
 * @module A certificate renewed by kvguard: made from the finish row of a certificate's renewal in rotation
 * history (toEvents.ts). Key Vault's own AutoRenew is Key Vault's event (CertificateNewVersionCreated), not this.
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
