/** @module A stored key version and a key's rotation policy. */
import type { JsonWebKey as NodeJwk } from "node:crypto";
import type { StoredVersion } from "../common/versionedStore.js";

export type KeyType = "RSA" | "RSA-HSM" | "EC" | "EC-HSM";

export interface KeyVersion extends StoredVersion {
  kty: KeyType;
  /** The private JWK as node:crypto exports it (base64url fields). */
  jwk: NodeJwk;
  keyOps: string[];
  exportable?: boolean;
}

export interface KeyRotationPolicy {
  lifetimeActions: { trigger: { timeAfterCreate?: string; timeBeforeExpiry?: string }; action: { type: string } }[];
  attributes: { expiryTime?: string; created: number; updated: number };
}
