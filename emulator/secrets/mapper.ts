/** @module Stored secrets to Key Vault's wire shapes (SecretBundle, SecretItem). */
import { attributesOut } from "../common/attributes.js";
import { objectId } from "../common/ids.js";
import type { Vault } from "../vault.js";
import type { SecretVersion } from "./model.js";

function common(vault: Vault, version: SecretVersion) {
  return {
    attributes: attributesOut(version.attributes, vault.recovery),
    ...(version.contentType !== undefined ? { contentType: version.contentType } : {}),
    ...(version.tags ? { tags: version.tags } : {}),
    ...(version.managed ? { managed: true } : {}),
  };
}

/** A certificate's secret names its key (`kid`), as Key Vault's SecretBundle does. */
export function secretBundle(vault: Vault, name: string, version: SecretVersion, withValue: boolean) {
  return {
    ...(withValue ? { value: version.value } : {}),
    id: objectId(vault.url, "secrets", name, version.version),
    ...common(vault, version),
    ...(version.managed ? { kid: objectId(vault.url, "keys", name, version.version) } : {}),
    ...(version.previousVersion ? { previousVersion: version.previousVersion } : {}),
  };
}

/** List items carry no value; the name list has ids without version, the versions list with. */
export function secretItem(vault: Vault, name: string, version: SecretVersion, withVersion: boolean) {
  return { id: objectId(vault.url, "secrets", name, withVersion ? version.version : undefined), ...common(vault, version) };
}
