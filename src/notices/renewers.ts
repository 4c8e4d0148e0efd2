/**
 * @module Who renews a certificate, from its policy alone: Key Vault (AutoRenew with an issuer it signs
 * with), kvguard (such an issuer without AutoRenew: kvguard renews it from its policy) or a person (issuer
 * `Unknown`: imported, or signed by a CA outside Key Vault). The notices, the status page and the compliance
 * report say it the same way.
 */
export type RenewedBy = "key-vault" | "kvguard" | "nobody";

export const RENEWAL_LABELS: Record<RenewedBy, string> = { "key-vault": "by itself (AutoRenew)", kvguard: "by kvguard", nobody: "needs a person" };

export interface CertificatePolicyFacts {
  issuerName?: string;
  /** `false`: the policy's lifetime management is off. */
  enabled?: boolean;
  lifetimeActions?: readonly { action?: string }[];
}

export function isUnknownIssuer(policy: Pick<CertificatePolicyFacts, "issuerName"> | undefined): boolean {
  const issuer = policy?.issuerName;
  return issuer === undefined || issuer.toLowerCase() === "unknown";
}

export function certificateRenewer(policy: CertificatePolicyFacts): RenewedBy {
  if (isUnknownIssuer(policy)) return "nobody";
  if (policy.enabled !== false && policy.lifetimeActions?.some((a) => a.action === "AutoRenew")) return "key-vault";
  return "kvguard";
}
