/**
 * @module Certificate policies: the request schema, Key Vault's defaults for a first create, merging an
 * update into a stored policy, Key Vault's rules, the wire shape, and the policy an imported certificate
 * gets from its own X.509 fields.
 */
import { z } from "zod";
import { parseBody } from "../common/attributes.js";
import { errors } from "../http/errors.js";
import type { CertificateFacts } from "../pki/certificate.js";
import { KEY_USAGES } from "../pki/extensions.js";
import type { NameError } from "../pki/names.js";
import { parseName } from "../pki/names.js";
import type { Vault } from "../vault.js";
import { CERTIFICATE_CURVES, CERTIFICATE_KEY_TYPES, PEM, PKCS12, SELF, UNKNOWN, type CertificatePolicy, type LifetimeAction } from "./model.js";

const OID = /^\d+(\.\d+)+$/;
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const MAX_VALIDITY_MONTHS = 1200;
const RSA_SIZES = [2048, 3072, 4096];
const EC_SIZES: Record<number, (typeof CERTIFICATE_CURVES)[number]> = { 256: "P-256", 384: "P-384", 521: "P-521" };

const names = z.array(z.string().min(1)).optional();
export const policyInput = z
  .object({
    key_props: z
      .object({
        exportable: z.boolean().optional(),
        kty: z.enum(CERTIFICATE_KEY_TYPES, { error: `kty must be one of ${CERTIFICATE_KEY_TYPES.join(", ")}` }).optional(),
        key_size: z.number().int().optional(),
        reuse_key: z.boolean().optional(),
        crv: z.enum(CERTIFICATE_CURVES, { error: `crv must be one of ${CERTIFICATE_CURVES.join(", ")}` }).optional(),
      })
      .optional(),
    secret_props: z.object({ contentType: z.enum([PKCS12, PEM], { error: `contentType must be ${PKCS12} or ${PEM}` }).optional() }).optional(),
    x509_props: z
      .object({
        subject: z.string().optional(),
        ekus: z.array(z.string().regex(OID, { message: "must be an OID" })).optional(),
        sans: z.object({ emails: names, dns_names: names, upns: names, uris: names, ipAddresses: names }).optional(),
        key_usage: z.array(z.enum(KEY_USAGES, { error: `key_usage values must be among ${KEY_USAGES.join(", ")}` })).optional(),
        validity_months: z.number().int().min(1).max(MAX_VALIDITY_MONTHS).optional(),
      })
      .optional(),
    lifetime_actions: z
      .array(
        z.object({
          trigger: z.object({
            lifetime_percentage: z.number().int().min(1).max(99).optional(),
            days_before_expiry: z.number().int().min(1).optional(),
          }),
          action: z.object({ action_type: z.enum(["AutoRenew", "EmailContacts"]) }),
        }),
      )
      .optional(),
    issuer: z.object({ name: z.string().min(1).optional(), cty: z.string().optional(), cert_transparency: z.boolean().optional() }).optional(),
    attributes: z.object({ enabled: z.boolean().optional() }).loose().optional(),
  })
  .loose();
export type PolicyInput = z.infer<typeof policyInput>;

/** What a first create gets for what it leaves out. */
function defaults(now: number): CertificatePolicy {
  return {
    key_props: { exportable: true, kty: "RSA", key_size: 2048, reuse_key: false },
    secret_props: { contentType: PKCS12 },
    x509_props: { ekus: [SERVER_AUTH, CLIENT_AUTH], key_usage: ["digitalSignature", "keyEncipherment"], validity_months: 12 },
    lifetime_actions: [],
    issuer: { name: UNKNOWN },
    attributes: { enabled: true, created: now, updated: now },
  };
}

/** The fields of `value` that are set: what an update sends is what changes. */
export function defined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * An undocumented default, chosen here: a policy without lifetime actions renews by itself at 80% of its
 * lifetime when Key Vault can renew it (as the portal sets it), else emails the contacts at 80% (the
 * service's examples for Unknown issuers).
 */
function defaultActions(issuerName: string): LifetimeAction[] {
  const action_type = issuerName.toLowerCase() === UNKNOWN.toLowerCase() ? "EmailContacts" : "AutoRenew";
  return [{ trigger: { lifetime_percentage: 80 }, action: { action_type } }];
}

/** `base` with the fields `input` sets; a new policy when there is no base. */
export function mergePolicy(base: CertificatePolicy | undefined, body: unknown, now: number): CertificatePolicy {
  const input = parseBody(policyInput, body);
  const start = base ?? defaults(now);
  const keyProps = { ...start.key_props, ...defined(input.key_props) };
  // Changing the key family drops the other family's size or curve.
  if (input.key_props?.kty && keyProps.kty.startsWith("EC")) delete keyProps.key_size;
  if (input.key_props?.kty && keyProps.kty.startsWith("RSA")) delete keyProps.crv;
  const x509 = { ...start.x509_props, ...defined(input.x509_props) };
  if (input.x509_props?.sans) x509.sans = defined(input.x509_props.sans);
  const issuer = { ...start.issuer, ...defined(input.issuer) };
  const policy: CertificatePolicy = {
    key_props: keyProps,
    secret_props: { ...start.secret_props, ...defined(input.secret_props) },
    x509_props: x509,
    lifetime_actions: input.lifetime_actions ?? (base ? start.lifetime_actions : defaultActions(issuer.name)),
    issuer,
    attributes: { enabled: input.attributes?.enabled ?? start.attributes.enabled, created: start.attributes.created, updated: now },
  };
  return validatePolicy(policy);
}

function hasSans(policy: CertificatePolicy): boolean {
  return Object.values(policy.x509_props.sans ?? {}).some((list) => (list as string[] | undefined)?.length);
}

/** Key Vault's rules; returns the policy with the key size or curve settled. */
export function validatePolicy(policy: CertificatePolicy): CertificatePolicy {
  const { key_props: key, x509_props: x509 } = policy;
  if (key.kty.startsWith("RSA")) {
    key.key_size ??= 2048;
    if (!RSA_SIZES.includes(key.key_size))
      throw errors.badParameter(`Invalid key size ${key.key_size}: RSA certificate keys are ${RSA_SIZES.join(", ")} bits.`);
  } else {
    const fromSize = key.key_size === undefined ? undefined : EC_SIZES[key.key_size];
    if (key.key_size !== undefined && !fromSize) throw errors.badParameter(`Invalid key size ${key.key_size} for an EC key: 256, 384 or 521.`);
    if (fromSize && key.crv && key.crv !== fromSize) throw errors.badParameter(`key_size ${key.key_size} does not match curve ${key.crv}.`);
    key.crv ??= fromSize ?? "P-256";
    delete key.key_size;
  }
  if (key.kty.endsWith("-HSM") && key.exportable) throw errors.badParameter("A certificate with an HSM-protected key (RSA-HSM, EC-HSM) cannot be exportable.");
  if (x509.subject !== undefined && x509.subject.trim() !== "") {
    try {
      parseName(x509.subject);
    } catch (error) {
      throw errors.badParameter(`Invalid subject "${x509.subject}": ${(error as NameError).message}.`);
    }
  } else if (!hasSans(policy)) {
    throw errors.badParameter("The policy needs a subject or at least one subject alternative name.");
  }
  const isUnknown = policy.issuer.name.toLowerCase() === UNKNOWN.toLowerCase();
  for (const { trigger, action } of policy.lifetime_actions) {
    const set = [trigger.lifetime_percentage, trigger.days_before_expiry].filter((v) => v !== undefined).length;
    if (set !== 1) throw errors.badParameter("A lifetime action's trigger sets exactly one of lifetime_percentage and days_before_expiry.");
    const maxDays = x509.validity_months * 27;
    if (trigger.days_before_expiry !== undefined && trigger.days_before_expiry > maxDays) {
      throw errors.badParameter(`days_before_expiry must be between 1 and ${maxDays} (validity_months × 27).`);
    }
    if (action.action_type === "AutoRenew" && isUnknown) {
      throw errors.badParameter(
        "AutoRenew needs an issuer Key Vault can renew with (Self or an issuer object); a certificate of issuer Unknown can only EmailContacts.",
      );
    }
  }
  if (new Set(policy.lifetime_actions.map((a) => a.action.action_type)).size !== policy.lifetime_actions.length) {
    throw errors.badParameter("A policy has at most one lifetime action of each type.");
  }
  return policy;
}

export function isSelfIssued(policy: CertificatePolicy): boolean {
  return policy.issuer.name.toLowerCase() === SELF.toLowerCase();
}

export function isUnknownIssuer(policy: CertificatePolicy): boolean {
  return policy.issuer.name.toLowerCase() === UNKNOWN.toLowerCase();
}

/** The wire shape: the stored policy with its id. */
export function policyOut(vault: Vault, name: string, policy: CertificatePolicy) {
  return { id: `${vault.url}/certificates/${name}/policy`, ...policy };
}

function monthsBetween(from: Date, to: Date): number {
  const months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  return Math.min(MAX_VALIDITY_MONTHS, Math.max(1, months + (to.getUTCDate() > from.getUTCDate() ? 1 : 0)));
}

/**
 * An imported certificate's policy: its X.509 fields and key as they are, the request's choices for the
 * rest (content type, exportable, lifetime actions, issuer), issuer Unknown by default.
 */
export function importedPolicy(
  base: CertificatePolicy | undefined,
  body: unknown,
  facts: CertificateFacts,
  keyFields: Pick<CertificatePolicy["key_props"], "kty" | "key_size" | "crv">,
  contentType: string,
  now: number,
): CertificatePolicy {
  const input = parseBody(policyInput, body);
  const issuerName = input.issuer?.name ?? base?.issuer.name ?? UNKNOWN;
  const policy: CertificatePolicy = {
    key_props: {
      exportable: input.key_props?.exportable ?? base?.key_props.exportable ?? true,
      reuse_key: input.key_props?.reuse_key ?? base?.key_props.reuse_key ?? false,
      ...keyFields,
    },
    secret_props: { contentType: (input.secret_props?.contentType ?? contentType) as CertificatePolicy["secret_props"]["contentType"] },
    x509_props: {
      ...(facts.subject ? { subject: facts.subject } : {}),
      ...(Object.keys(facts.sans).length ? { sans: facts.sans } : {}),
      ekus: facts.ekus,
      key_usage: facts.keyUsage,
      validity_months: monthsBetween(facts.notBefore, facts.notAfter),
    },
    lifetime_actions: input.lifetime_actions ?? base?.lifetime_actions ?? defaultActions(issuerName),
    issuer: { ...(base?.issuer ?? {}), ...defined(input.issuer), name: issuerName },
    attributes: { enabled: input.attributes?.enabled ?? base?.attributes.enabled ?? true, created: base?.attributes.created ?? now, updated: now },
  };
  return validatePolicy(policy);
}
