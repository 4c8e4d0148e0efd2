/**
 * @module The value of a certificate's secret, as `getSecret` shows it to apps: base64 of a password-less
 * PFX (application/x-pkcs12) or PEM text, private key first then the certificates (application/x-pem-file).
 * A certificate whose key is not exportable leaves the private key out.
 */
import type { JsonWebKey as NodeJwk } from "node:crypto";
import { privateKey } from "../keys/material.js";
import { writePfx } from "../pki/pkcs12.js";
import { toPem } from "../pki/pem.js";
import { PEM } from "./model.js";

export function secretValue(contentType: string, jwk: NodeJwk, chain: readonly Buffer[], exportable: boolean): string {
  const key = exportable ? privateKey(jwk) : undefined;
  if (contentType === PEM) {
    const keyPem = key ? key.export({ type: "pkcs8", format: "pem" }).toString() : "";
    return keyPem + chain.map((der) => toPem("CERTIFICATE", der)).join("");
  }
  return writePfx(key, chain).toString("base64");
}
