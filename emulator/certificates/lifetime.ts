/**
 * @module Lifetime actions on the vault's clock. AutoRenew makes a new version from the policy when the
 * current one reaches its trigger (a percentage of its lifetime, or days before expiry), once per version;
 * EmailContacts brings the certificate's near-expiry notice forward to its trigger (the local Key Vault
 * sends no mail: the CertificateNearExpiry event and its audit record stand for it). A policy whose
 * attributes are disabled does neither.
 */
import type { EventBus } from "../events/bus.js";
import type { Vault } from "../vault.js";
import { newKeyForSync } from "./issue.js";
import type { CertificatePolicy, CertificateVersion, LifetimeAction } from "./model.js";
import { operations, policies, startOperation } from "./operations.js";
import { currentKey } from "./versions.js";

function triggerAt(action: LifetimeAction, nbf: number, exp: number): number {
  const { lifetime_percentage, days_before_expiry } = action.trigger;
  return lifetime_percentage !== undefined ? nbf + Math.floor(((exp - nbf) * lifetime_percentage) / 100) : exp - days_before_expiry! * 86_400;
}

/** When an action of `type` triggers for this version (unix seconds), if the policy has one and is on. */
export function actionAt(
  policy: CertificatePolicy | undefined,
  version: CertificateVersion,
  type: LifetimeAction["action"]["action_type"],
): number | undefined {
  const { nbf, exp } = version.attributes;
  const action = policy?.lifetime_actions.find((a) => a.action.action_type === type);
  if (!policy?.attributes.enabled || !action || nbf === undefined || exp === undefined || !version.cer) return undefined;
  return triggerAt(action, nbf, exp);
}

/** Renews the certificates whose AutoRenew trigger has come; returns whether any was renewed. */
export function autoRenew(vault: Vault, events: EventBus, nowMs: number): boolean {
  const now = Math.floor(nowMs / 1000);
  let renewed = false;
  for (const entry of vault.certificates.list()) {
    const current = entry.versions.at(-1)!;
    const policy = policies.get(vault, entry.name);
    const at = actionAt(policy, current, "AutoRenew");
    if (at === undefined || now < at || current.fired?.renewed || operations.get(vault, entry.name)?.status === "inProgress") continue;
    (current.fired ??= {}).renewed = true;
    startOperation(vault, events, {
      name: entry.name,
      policy: policy!,
      jwk: newKeyForSync(policy!, currentKey(vault, entry.name)),
      nowMs,
      completesAtMs: nowMs,
      ...(current.tags ? { tags: { ...current.tags } } : {}),
    });
    renewed = true;
  }
  return renewed;
}
