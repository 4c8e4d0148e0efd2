/**
 * @module Key Vault's key throttling buckets (per vault per 10 s, from its service limits): creates by
 * protection, and other transactions by key type and size. Software RSA-2048 and EC keys share the vault
 * transactions bucket with secrets, at 4,000. The service weighs buckets into one sum; here each counts
 * on its own.
 */
import type { RouteContext, ThrottleBucket } from "../http/route.js";
import { TRANSACTIONS } from "../throttle.js";
import { rsaBits } from "./material.js";
import { isHsm, keyFamily, type KeyType, type KeyVersion } from "./model.js";

export const KEY_THROTTLE = {
  create: { bucket: "key-create", limit: 20 },
  hsmCreate: { bucket: "hsm-key-create", limit: 10 },
  rsa3072: { bucket: "rsa-3072", limit: 1_000 },
  rsa4096: { bucket: "rsa-4096", limit: 500 },
  /** HSM RSA-2048 and HSM EC keys. */
  hsm: { bucket: "hsm-key", limit: 2_000 },
  hsmRsa3072: { bucket: "hsm-rsa-3072", limit: 500 },
  hsmRsa4096: { bucket: "hsm-rsa-4096", limit: 250 },
} as const satisfies Record<string, ThrottleBucket>;

function createBucket(hsm: boolean): ThrottleBucket {
  return hsm ? KEY_THROTTLE.hsmCreate : KEY_THROTTLE.create;
}

function isHsmType(kty: unknown): boolean {
  return typeof kty === "string" && kty.endsWith("-HSM");
}

function operationBucket(kty: KeyType, bits: number | undefined): ThrottleBucket {
  const hsm = isHsm(kty);
  if (bits === 4096) return hsm ? KEY_THROTTLE.hsmRsa4096 : KEY_THROTTLE.rsa4096;
  if (bits === 3072) return hsm ? KEY_THROTTLE.hsmRsa3072 : KEY_THROTTLE.rsa3072;
  return hsm ? KEY_THROTTLE.hsm : TRANSACTIONS;
}

/** Throttling runs before the body is validated, so it reads fields defensively. */
function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function currentVersion(ctx: RouteContext): KeyVersion | undefined {
  const name = ctx.params.name;
  return name && ctx.vault.keys.has(name) ? ctx.vault.keys.entry(name).versions.at(-1) : undefined;
}

/** Requests about one key; one that does not exist counts as a vault transaction. */
export function keyBucket(ctx: RouteContext): ThrottleBucket {
  const current = currentVersion(ctx);
  if (!current) return TRANSACTIONS;
  return operationBucket(current.kty, keyFamily(current.kty) === "RSA" ? rsaBits(current.jwk) : undefined);
}

/** Creates, imports and rotations each make key material, so all count as creates. */
export const createBuckets = {
  create: (ctx: RouteContext) => createBucket(isHsmType(field(ctx.body, "kty"))),
  import: (ctx: RouteContext) => createBucket(field(ctx.body, "Hsm") === true || isHsmType(field(field(ctx.body, "key"), "kty"))),
  rotate: (ctx: RouteContext) => createBucket(isHsmType(currentVersion(ctx)?.kty)),
};
