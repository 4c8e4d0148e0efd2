/**
 * @module Certificates in the plan: Key Vault renews a certificate itself when its policy has an AutoRenew
 * lifetime action (at a percentage of its lifetime, or N days before expiry); otherwise it expires. kvguard
 * reads the properties and the policy only.
 */
import type { CertificateClient, CertificatePolicy } from "@azure/keyvault-certificates";
import { DAY_MS } from "../common/duration.js";

export interface CertificateEvent {
  name: string;
  action: "renew" | "expire";
  atMs: number;
  why: string;
}

/** When Key Vault renews a version valid from `nbf` to `exp` under `policy`, and why; undefined: it does not. */
export function renewalOf(policy: CertificatePolicy, nbf: Date | undefined, exp: Date): { atMs: number; why: string } | undefined {
  const action = policy.lifetimeActions?.find((a) => a.action === "AutoRenew");
  if (!action || policy.enabled === false) return undefined;
  if (action.lifetimePercentage !== undefined && nbf) {
    const atMs = nbf.getTime() + Math.floor(((exp.getTime() - nbf.getTime()) * action.lifetimePercentage) / 100);
    return { atMs, why: `Key Vault's AutoRenew at ${action.lifetimePercentage}% of its lifetime (it expires at ${exp.toISOString()})` };
  }
  if (action.daysBeforeExpiry !== undefined) {
    return {
      atMs: exp.getTime() - action.daysBeforeExpiry * DAY_MS,
      why: `Key Vault's AutoRenew ${action.daysBeforeExpiry} days before it expires at ${exp.toISOString()}`,
    };
  }
  return undefined;
}

export async function* certificateEvents(client: CertificateClient): AsyncGenerator<CertificateEvent> {
  for await (const certificate of client.listPropertiesOfCertificates()) {
    const name = certificate.name;
    if (!name || certificate.enabled === false || !certificate.expiresOn) continue;
    const renewal = renewalOf(await client.getCertificatePolicy(name), certificate.notBefore, certificate.expiresOn);
    yield renewal
      ? { name, action: "renew", ...renewal }
      : { name, action: "expire", atMs: certificate.expiresOn.getTime(), why: "expiry; its policy has no AutoRenew action" };
  }
}
