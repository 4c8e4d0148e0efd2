/** @module A stored key version and a key's rotation policy. */
import type { JsonWebKey as NodeJwk } from "node:crypto";
import type { StoredVersion } from "../common/versionedStore.js";

export const KEY_TYPES = ["RSA", "RSA-HSM", "EC", "EC-HSM"] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** JsonWebKeyOperation values a key's `key_ops` may hold. */
export const KEY_OPERATIONS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import", "export"] as const;
export type KeyOperation = (typeof KEY_OPERATIONS)[number];

/** What Key Vault gives a key when `key_ops` is not sent. */
export const DEFAULT_KEY_OPS: Record<"RSA" | "EC", KeyOperation[]> = {
  RSA: ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"],
  EC: ["sign", "verify"],
};

/** The rules under which an exportable key may be released; `data` is the base64url policy document. */
export interface KeyReleasePolicy {
  contentType?: string;
  immutable?: boolean;
  data?: string;
}

export interface KeyVersion extends StoredVersion {
  kty: KeyType;
  /** The private JWK as node:crypto exports it (base64url fields; EC `crv` in node's spelling). */
  jwk: NodeJwk;
  keyOps: string[];
  exportable?: boolean;
  releasePolicy?: KeyReleasePolicy;
  /** A certificate's key: read-only, usable for cryptography. */
  managed?: boolean;
}

export interface LifetimeAction {
  trigger: { timeAfterCreate?: string; timeBeforeExpiry?: string };
  action: { type: "Rotate" | "Notify" };
}

export interface KeyRotationPolicy {
  lifetimeActions: LifetimeAction[];
  attributes: { expiryTime?: string; created: number; updated: number };
}

export function keyFamily(kty: KeyType): "RSA" | "EC" {
  return kty.startsWith("RSA") ? "RSA" : "EC";
}

export function isHsm(kty: KeyType): boolean {
  return kty.endsWith("-HSM");
}
