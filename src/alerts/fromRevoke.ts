/**
 * @module Alerts from the revoke gate: a consumer still on the previous credential after the grace period
 * (once per consumer and rotation: the dedup key names both), and a revoke held at the maximum grace.
 */
import { randomUUID } from "node:crypto";
import type { RevokeGateEvent } from "../rotation/revokeGate.js";
import type { Alert } from "./alert.js";

export function alertsFromRevokeGate(event: RevokeGateEvent, at: string): Alert[] {
  const where = `${event.vault}/${event.name}`;
  const base = { id: randomUUID(), vault: event.vault, object: { type: "secret" as const, name: event.name }, at };
  if (event.kind === "lagging") {
    return [
      {
        ...base,
        kind: "consumer-lagging",
        severity: "medium",
        dedupKey: `consumer-lagging|${where}|${event.oldVersion}|${event.consumerKey}`.toLowerCase(),
        title: `${event.consumer} has not read the new version of ${where} ${event.sinceRotation} after rotation`,
        who: { principal: event.consumer },
        explanation: `${where} was rotated at ${event.rotatedAt}. ${event.consumer} read the secret before the rotation, but the audit log shows no read of the new version since, so it may still hold the previous credential (version ${event.oldVersion}). kvguard keeps that credential valid until every such consumer has switched or the maximum grace has passed. Restart or refresh ${event.consumer} so it reads the secret again.`,
      },
    ];
  }
  return [
    {
      ...base,
      kind: "consumer-lagging",
      severity: "high",
      dedupKey: `revoke-held|${where}|${event.oldVersion}`.toLowerCase(),
      title: `Revoke of ${where} held at the maximum grace: ${event.consumers.length ? `${event.consumers.join(", ")} still on the previous credential` : "the audit log could not be read"}`,
      explanation: `${where} was rotated at ${event.rotatedAt}; the maximum grace (${event.maxGrace}) has passed and the operator chose to hold the revoke (KVGUARD_REVOKE_AT_MAX_GRACE=hold or the policy file's revoke.atMaxGrace). The previous credential (version ${event.oldVersion}) stays valid until every consumer reads the new version.`,
    },
  ];
}
