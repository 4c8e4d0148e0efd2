/** @module Stored certificates to Key Vault's wire shapes (CertificateBundle, CertificateItem). */
import { attributesOut } from "../common/attributes.js";
import { objectId } from "../common/ids.js";
import type { Vault } from "../vault.js";
import type { CertificatePolicy, CertificateVersion } from "./model.js";
import { policyOut } from "./policy.js";
import { thumbprint } from "./versions.js";

/** An issued version names its key and secret and carries its X.509; a pending one has neither yet. */
export function certificateBundle(vault: Vault, name: string, version: CertificateVersion, policy: CertificatePolicy | undefined) {
  const issued = version.cer
    ? {
        kid: objectId(vault.url, "keys", name, version.version),
        sid: objectId(vault.url, "secrets", name, version.version),
        x5t: thumbprint(Buffer.from(version.cer, "base64")),
        cer: version.cer,
      }
    : {};
  return {
    id: objectId(vault.url, "certificates", name, version.version),
    ...issued,
    attributes: attributesOut(version.attributes, vault.recovery),
    ...(policy ? { policy: policyOut(vault, name, policy) } : {}),
    ...(version.tags ? { tags: version.tags } : {}),
    ...(version.preserveCertOrder ? { preserveCertOrder: true } : {}),
  };
}

/** List items: Key Vault leaves the recovery level out of a certificate list's attributes. */
export function certificateItem(vault: Vault, name: string, version: CertificateVersion, withVersion: boolean) {
  return {
    id: objectId(vault.url, "certificates", name, withVersion ? version.version : undefined),
    attributes: version.attributes,
    ...(version.tags ? { tags: version.tags } : {}),
    ...(version.cer ? { x5t: thumbprint(Buffer.from(version.cer, "base64")) } : {}),
  };
}
