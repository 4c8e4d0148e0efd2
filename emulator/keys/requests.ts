/** @module Request bodies of the key operations, as zod schemas over the wire's snake_case fields. */
import { z } from "zod";
import { attributesInput, tagsInput } from "../common/attributes.js";
import { KEY_OPERATIONS, KEY_TYPES } from "./model.js";

/** Binary values arrive base64url-encoded, without padding from the SDKs. */
const base64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]*={0,2}$/, { message: "must be base64url-encoded" })
  .transform((text) => Buffer.from(text, "base64url"));

const kty = z.enum(KEY_TYPES, { error: `kty must be one of ${KEY_TYPES.join(", ")} (oct keys exist only in Managed HSM)` });
const keyOps = z.array(z.enum(KEY_OPERATIONS, { error: `key_ops values must be among ${KEY_OPERATIONS.join(", ")}` }));
const keyAttributes = attributesInput.extend({ exportable: z.boolean().optional() });

export const releasePolicyInput = z.object({
  contentType: z.string().optional(),
  immutable: z.boolean().optional(),
  data: z
    .string()
    .regex(/^[A-Za-z0-9_-]*={0,2}$/, { message: "must be base64url-encoded" })
    .optional(),
});

export const createBody = z.object({
  kty,
  key_size: z.number().int().optional(),
  public_exponent: z.number().int().optional(),
  crv: z.string().optional(),
  key_ops: keyOps.optional(),
  attributes: keyAttributes.optional(),
  tags: tagsInput.optional(),
  release_policy: releasePolicyInput.optional(),
});

export const importBody = z.object({
  key: z.object({ kty, key_ops: keyOps.optional(), key_hsm: z.string().optional() }).loose(),
  Hsm: z.boolean().optional(),
  attributes: keyAttributes.optional(),
  tags: tagsInput.optional(),
  release_policy: releasePolicyInput.optional(),
});

export const updateBody = z.object({
  key_ops: keyOps.optional(),
  attributes: keyAttributes.optional(),
  tags: tagsInput.optional(),
  release_policy: releasePolicyInput.optional(),
});

export const backupBody = z.object({ value: z.string().min(1) });

export const signBody = z.object({ alg: z.string(), value: base64url });
export const verifyBody = z.object({ alg: z.string(), digest: base64url, value: base64url });
/** Encrypt, decrypt, wrapKey and unwrapKey; iv, aad and tag belong to AES, which vaults do not hold. */
export const cryptBody = z.object({ alg: z.string(), value: base64url });

/** Key release: the target's attestation token, and optional nonce and wrapping algorithm. */
export const releaseBody = z.object({
  target: z.string({ error: "target (an attestation token) is required" }),
  nonce: z.string().optional(),
  enc: z.string().optional(),
});
