/**
 * @module `keyvault-certificate`: kvguard renews the certificates Key Vault will not renew by itself. A
 * certificate whose issuer Key Vault can issue from (`Self`, or an issuer object: an integrated CA) and whose
 * policy has no AutoRenew action gets a new version from its own policy when it nears expiry (Key Vault's
 * NearExpiry lead by default, `kvguard-rotate-before-expiry-days` otherwise), has expired, or on demand.
 * Certificates with issuer `Unknown` (imported, or signed elsewhere) are left alone: someone must sign a CSR.
 * Every certificate gets this rotator without a tag; a `kvguard-rotator` tag naming another one is an error.
 */
import type { CertificateProperties, KeyVaultCertificate } from "@azure/keyvault-certificates";
import { DAY_MS } from "../../common/duration.js";
import { statusOf } from "../../common/errors.js";
import type { NativeContext, NativeObject, NativePolicyFields, NativeRotator } from "../native.js";

export const CERTIFICATE_ROTATOR = "keyvault-certificate";

export interface CertificateRenewalPolicy {
  /** Renew this many days before expiry (Key Vault's NearExpiry lead, 30, by default). */
  renewBeforeExpiryDays: number;
}

const DEFAULT_RENEW_BEFORE_DAYS = 30;
/** How often a renewal's pending operation is read while Key Vault issues the certificate. */
const POLL_MS = 1_000;

function parsePolicy(fields: NativePolicyFields): CertificateRenewalPolicy {
  const text = fields.rotateBeforeExpiryDays;
  if (text === undefined) return { renewBeforeExpiryDays: DEFAULT_RENEW_BEFORE_DAYS };
  const days = Number(text);
  if (!Number.isFinite(days) || days <= 0) throw new Error(`kvguard-rotate-before-expiry-days: days "${text}" is not a positive number`);
  return { renewBeforeExpiryDays: days };
}

function objectOf(p: CertificateProperties): NativeObject {
  return {
    name: p.name!,
    version: p.version ?? "",
    tags: p.tags ?? {},
    ...(p.createdOn ? { createdOn: p.createdOn } : {}),
    ...(p.notBefore ? { notBefore: p.notBefore } : {}),
    ...(p.expiresOn ? { expiresOn: p.expiresOn } : {}),
    ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
  };
}

/** The certificate's pending operation, if it has one (an imported certificate never had one). */
async function operationOf(ctx: NativeContext) {
  try {
    return (await ctx.vault.certificates.getCertificateOperation(ctx.name)).getOperationState().certificateOperation;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export const keyVaultCertificateRotator: NativeRotator<CertificateRenewalPolicy> = {
  name: CERTIFICATE_ROTATOR,
  kind: "certificate",
  verb: "renewed the certificate",
  byDefault: true,
  parsePolicy,
  async *list(vault) {
    for await (const p of vault.certificates.listPropertiesOfCertificates()) yield objectOf(p);
  },
  async read({ vault, name }) {
    let certificate: KeyVaultCertificate;
    try {
      certificate = await vault.certificates.getCertificate(name);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
    return objectOf(certificate.properties);
  },
  due(policy, object, nowMs) {
    if (!object.expiresOn) return { due: false, reason: "no expiry: not issued yet" };
    // A disabled certificate was retired by someone: its expiry is no reason to bring it back.
    if (object.enabled === false) return { due: false, reason: "disabled" };
    const atMs = object.expiresOn.getTime() - policy.renewBeforeExpiryDays * DAY_MS;
    if (atMs > nowMs) return { due: false, reason: "not due", nextDueAtMs: atMs };
    const expired = object.expiresOn.getTime() <= nowMs;
    // A lead longer than the certificate's life would renew it on every sweep.
    const lifeMs = object.expiresOn.getTime() - (object.notBefore ?? object.createdOn ?? object.expiresOn).getTime();
    if (!expired && lifeMs <= policy.renewBeforeExpiryDays * DAY_MS) {
      return { due: false, reason: `its ${Math.round(lifeMs / DAY_MS)}-day validity is inside the ${policy.renewBeforeExpiryDays}-day renewal lead` };
    }
    return { due: true, reason: expired ? "expired" : `expires within ${policy.renewBeforeExpiryDays} days` };
  },
  async blocked({ vault, name }) {
    const policy = await vault.certificates.getCertificatePolicy(name);
    const issuer = policy.issuerName ?? "Unknown";
    if (policy.lifetimeActions?.some((a) => a.action === "AutoRenew")) {
      return { outcome: "not-due", reason: "Key Vault renews it by itself (its policy has an AutoRenew action)" };
    }
    if (issuer.toLowerCase() === "unknown") {
      return { outcome: "cannot-renew", reason: "its issuer is Unknown (imported, or signed outside Key Vault): Key Vault cannot renew it" };
    }
    if (issuer.toLowerCase() !== "self") {
      try {
        await vault.certificates.getIssuer(issuer);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        return { outcome: "cannot-renew", reason: `its issuer ${issuer} is not an issuer of this vault: Key Vault cannot renew it` };
      }
    }
    return undefined;
  },
  async inFlight(ctx) {
    return (await operationOf(ctx))?.status === "inProgress";
  },
  async start({ vault, name }, _policy, object) {
    // The certificate's own policy, as it is: the new version is what Key Vault would make on AutoRenew.
    const policy = await vault.certificates.getCertificatePolicy(name);
    await vault.certificates.beginCreateCertificate(name, policy, { tags: object.tags });
    return `asked Key Vault for a new version from the certificate's policy (issuer ${policy.issuerName ?? "Unknown"})`;
  },
  async confirm(ctx) {
    const operation = await operationOf(ctx);
    if (operation?.status === "inProgress") {
      const poller = await ctx.vault.certificates.getCertificateOperation(ctx.name, { intervalInMs: POLL_MS });
      // A failed issuance throws here; the operation read below says why.
      await poller.pollUntilDone().catch(() => undefined);
    }
    const settled = await operationOf(ctx);
    if (settled?.error) throw new Error(`Key Vault could not issue the new version: ${settled.error.message ?? settled.error.code ?? "failed"}`);
    if (settled?.status === "cancelled") throw new Error("the renewal's pending operation was cancelled");
    const object = await keyVaultCertificateRotator.read(ctx);
    if (!object) throw new Error(`certificate ${ctx.name} disappeared during its renewal`);
    return object;
  },
};
