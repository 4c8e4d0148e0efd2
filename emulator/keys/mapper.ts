/** @module Stored keys to Key Vault's wire shapes (KeyBundle, KeyItem). */
import { attributesOut } from "../common/attributes.js";
import { objectId } from "../common/ids.js";
import type { Vault } from "../vault.js";
import { publicJwk } from "./material.js";
import type { KeyVersion } from "./model.js";

export function keyId(vault: Vault, name: string, version?: string): string {
  return objectId(vault.url, "keys", name, version);
}

function common(vault: Vault, version: KeyVersion) {
  return {
    attributes: { ...attributesOut(version.attributes, vault.recovery), exportable: version.exportable ?? false },
    ...(version.tags ? { tags: version.tags } : {}),
    ...(version.managed ? { managed: true } : {}),
  };
}

/** The bundle carries the public JWK only: Key Vault never returns d, p, q, dp, dq or qi. */
export function keyBundle(vault: Vault, name: string, version: KeyVersion) {
  return {
    key: { kid: keyId(vault, name, version.version), kty: version.kty, key_ops: version.keyOps, ...publicJwk(version.jwk) },
    ...common(vault, version),
    ...(version.releasePolicy ? { release_policy: version.releasePolicy } : {}),
  };
}

/** List items carry no key; the name list has kids without version, the versions list with. */
export function keyItem(vault: Vault, name: string, version: KeyVersion, withVersion: boolean) {
  return { kid: keyId(vault, name, withVersion ? version.version : undefined), ...common(vault, version) };
}
