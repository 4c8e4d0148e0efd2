/**
 * @module Certificates in the plan: Key Vault renews a certificate itself when its policy has an AutoRenew
 * lifetime action (at a percentage of its lifetime, or N days before expiry); kvguard renews one whose issuer
 * Key Vault signs with and that has no AutoRenew (its `keyvault-certificate` rotator); otherwise it expires.
 * kvguard reads the properties and the policy only.
 */
import type { CertificateClient, CertificatePolicy, CertificateProperties } from "@azure/keyvault-certificates";
import { DAY_MS } from "../common/duration.js";
import { certificateRenewer } from "../notices/renewers.js";

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

/**
 * `kvguardRenewsAt`: when kvguard's renewal of this certificate falls due under its kvguard policy (tags and
 * policy-file entry); undefined when that policy is invalid.
 */
export async function* certificateEvents(
  client: CertificateClient,
  kvguardRenewsAt: (certificate: CertificateProperties) => number | undefined,
): AsyncGenerator<CertificateEvent> {
  for await (const certificate of client.listPropertiesOfCertificates()) {
    const name = certificate.name;
    if (!name || certificate.enabled === false || !certificate.expiresOn) continue;
    const policy = await client.getCertificatePolicy(name);
    const renewal = renewalOf(policy, certificate.notBefore, certificate.expiresOn);
    const byKvguard = renewal || certificateRenewer(policy) !== "kvguard" ? undefined : kvguardRenewsAt(certificate);
    if (renewal) yield { name, action: "renew", ...renewal };
    else if (byKvguard !== undefined)
      yield {
        name,
        action: "renew",
        atMs: byKvguard,
        why: `kvguard renews it from its policy before it expires at ${certificate.expiresOn.toISOString()} (no AutoRenew action)`,
      };
    else
      yield {
        name,
        action: "expire",
        atMs: certificate.expiresOn.getTime(),
        why: "expiry; nothing renews it (no AutoRenew action, and an issuer only a person can renew with)",
      };
  }
}
