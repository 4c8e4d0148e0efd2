/**
 * @module The rotation events, one per history step that matters to automation: a pending credential was
 * created (started), a new version went live (succeeded), a step failed, a pending credential was abandoned,
 * a previous credential was revoked. Taken from rotation history rows: no value, no HMAC of one.
 */
import { z } from "zod";
import { isoTime, objectName, vaultName } from "./common.js";

const rotationBase = {
  vault: vaultName,
  name: objectName.describe("the secret or key"),
  rotationId: z.string().min(1).describe("one rotation's id: its started, succeeded or failed events share it"),
  trigger: z.enum(["schedule", "event", "manual", "resume"]).optional().describe("what started the rotation"),
  at: isoTime.describe("when the step happened, on the vault's clock"),
  message: z.string().max(2000).describe("what the step did, as history records it"),
};

export const rotationStarted = z.strictObject({ ...rotationBase }).describe("kvguard created a pending credential: a rotation is under way.");

export const rotationSucceeded = z
  .strictObject({
    ...rotationBase,
    version: z.string().optional().describe("the version now live"),
    previousVersion: z.string().optional().describe("the version it replaced; revoked once its grace period ends"),
  })
  .describe("A new version is live.");

export const rotationFailed = z
  .strictObject({
    ...rotationBase,
    step: z.enum(["policy", "lock", "check", "create", "set", "test", "finish", "revoke", "abandon", "skip", "reject"]).describe("the step that failed"),
  })
  .describe("A rotation step failed; the rotation is retried with backoff or waits for its next due time.");

export const rotationAbandoned = z.strictObject({ ...rotationBase }).describe("A pending credential was given up: the live secret changed by hand meanwhile.");

export const rotationRevoked = z
  .strictObject({ ...rotationBase, previousVersion: z.string().optional().describe("the version whose credential was revoked and disabled") })
  .describe("A previous credential was revoked at the end of its grace period.");
