/** @module When the previous credential is revoked after a rotation: the audit-aware gate's windows and what happens at its maximum. */
import { z } from "zod";
import { docs } from "./docs.js";
import { positiveDuration } from "./positiveDuration.js";

export const REVOKE_AT_MAX = ["revoke", "hold"] as const;
export type RevokeAtMax = (typeof REVOKE_AT_MAX)[number];

export const revokeShape = {
  KVGUARD_REVOKE_BASELINE_WINDOW: positiveDuration("P14D")
    .default(14 * 86_400)
    .register(docs, {
      description:
        "How far back before a rotation the audit log is read for the secret's consumers: each one seen reading it then must read the new version before the previous credential is revoked.",
      default: "P14D",
      example: "P30D",
    }),
  KVGUARD_REVOKE_MAX_GRACE: positiveDuration("P7D")
    .default(7 * 86_400)
    .register(docs, {
      description: "The longest a previous credential waits after a rotation for consumers still on it; never shorter than the object's grace period.",
      default: "P7D",
      example: "P3D",
    }),
  KVGUARD_REVOKE_AT_MAX_GRACE: z
    .enum(REVOKE_AT_MAX, { error: (issue) => `"${String(issue.input)}" is not revoke or hold. Set it to revoke (the default) or hold` })
    .default("revoke")
    .register(docs, {
      description: "At the maximum grace with consumers still on the previous credential: revoke it anyway, or hold it (and alert) until they switch.",
    }),
};

export type RevokeSettings = z.output<z.ZodObject<typeof revokeShape>>;

export interface RevokeConfig {
  baselineSeconds: number;
  maxGraceSeconds: number;
  atMaxGrace: RevokeAtMax;
}

export function revokeConfig(settings: RevokeSettings): RevokeConfig {
  return {
    baselineSeconds: settings.KVGUARD_REVOKE_BASELINE_WINDOW,
    maxGraceSeconds: settings.KVGUARD_REVOKE_MAX_GRACE,
    atMaxGrace: settings.KVGUARD_REVOKE_AT_MAX_GRACE,
  };
}
