/**
 * @module Stored certificate state: versions, the policy (one per certificate, shared by its versions),
 * the pending operation, the vault's contacts and issuers. Each has a zod schema, so state files and
 * backups are checked as strictly as requests.
 */
import { z } from "zod";
import type { StoredVersion } from "../common/versionedStore.js";
import { KEY_USAGES } from "../pki/extensions.js";

export const PKCS12 = "application/x-pkcs12";
export const PEM = "application/x-pem-file";
export const CERTIFICATE_KEY_TYPES = ["RSA", "RSA-HSM", "EC", "EC-HSM"] as const;
export const CERTIFICATE_CURVES = ["P-256", "P-384", "P-521", "P-256K"] as const;
/** The issuer names that are not issuer objects: Key Vault signs (Self) or someone else does, by merge (Unknown). */
export const SELF = "Self";
export const UNKNOWN = "Unknown";

export interface CertificateVersion extends StoredVersion {
  /** DER, base64; absent while the version waits for issuance or a merge. */
  cer?: string;
  preserveCertOrder?: boolean;
}

const sans = z.object({
  emails: z.array(z.string()).optional(),
  dns_names: z.array(z.string()).optional(),
  upns: z.array(z.string()).optional(),
  uris: z.array(z.string()).optional(),
  ipAddresses: z.array(z.string()).optional(),
});

export const lifetimeAction = z.object({
  trigger: z.object({ lifetime_percentage: z.number().int().optional(), days_before_expiry: z.number().int().optional() }),
  action: z.object({ action_type: z.enum(["AutoRenew", "EmailContacts"]) }),
});
export type LifetimeAction = z.infer<typeof lifetimeAction>;

/** A complete policy, in the wire's snake_case (it is answered as stored, plus its id). */
export const certificatePolicy = z.object({
  key_props: z.object({
    exportable: z.boolean(),
    kty: z.enum(CERTIFICATE_KEY_TYPES),
    key_size: z.number().int().optional(),
    crv: z.enum(CERTIFICATE_CURVES).optional(),
    reuse_key: z.boolean(),
  }),
  secret_props: z.object({ contentType: z.enum([PKCS12, PEM]) }),
  x509_props: z.object({
    subject: z.string().optional(),
    sans: sans.optional(),
    ekus: z.array(z.string()),
    key_usage: z.array(z.enum(KEY_USAGES)),
    validity_months: z.number().int(),
  }),
  lifetime_actions: z.array(lifetimeAction),
  issuer: z.object({ name: z.string(), cty: z.string().optional(), cert_transparency: z.boolean().optional() }),
  attributes: z.object({ enabled: z.boolean(), created: z.number(), updated: z.number() }),
});
export type CertificatePolicy = z.infer<typeof certificatePolicy>;

/** A create waiting for issuance (after the vault's moment) or a merge. */
export const pendingOperation = z.object({
  requestId: z.string(),
  /** The version it makes. */
  version: z.string(),
  issuer: certificatePolicy.shape.issuer,
  csr: z.string(),
  /** The new key, a private JWK as node:crypto exports it. */
  jwk: z.record(z.string(), z.unknown()),
  status: z.enum(["inProgress", "completed", "cancelled", "failed"]),
  statusDetails: z.string(),
  /** Why a failed operation failed. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  cancellationRequested: z.boolean(),
  /** Issued at create time (Self or an issuer object): DER base64 of the certificate and its chain. */
  issued: z.array(z.string()).optional(),
  /** When an issued certificate becomes the new version (ms, vault clock). */
  completesAtMs: z.number().optional(),
  /** The new version's enabled flag and tags, as the create asked. */
  enabled: z.boolean().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  preserveCertOrder: z.boolean().optional(),
});
export type PendingOperation = z.infer<typeof pendingOperation>;

export const contact = z.object({ email: z.string(), name: z.string().optional(), phone: z.string().optional() });
export type Contact = z.infer<typeof contact>;

export const issuerCredentials = z.object({ account_id: z.string().optional(), pwd: z.string().optional() });
export const organizationDetails = z.object({
  id: z.string().optional(),
  admin_details: z
    .array(z.object({ first_name: z.string().optional(), last_name: z.string().optional(), email: z.string().optional(), phone: z.string().optional() }))
    .optional(),
});

export const issuer = z.object({
  name: z.string(),
  provider: z.string(),
  credentials: issuerCredentials.optional(),
  org_details: organizationDetails.optional(),
  attributes: z.object({ enabled: z.boolean(), created: z.number(), updated: z.number() }),
});
export type Issuer = z.infer<typeof issuer>;
