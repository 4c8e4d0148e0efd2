/**
 * @module The value of a certificate's secret, as `getSecret` shows it to apps: base64 of a password-less
 * PFX (application/x-pkcs12) or PEM text, private key first then the certificates (application/x-pem-file).
 * A certificate whose key is not exportable leaves the private key out.
 */
import type { JsonWebKey as NodeJwk, KeyObject } from "node:crypto";
import { errors } from "../http/errors.js";
import { privateKey } from "../keys/material.js";
import { readPfx, writePfx } from "../pki/pkcs12.js";
import { toPem } from "../pki/pem.js";
import { PEM, PKCS12 } from "./model.js";

function pemText(key: KeyObject | undefined, chain: readonly Buffer[]): string {
  const keyPem = key ? key.export({ type: "pkcs8", format: "pem" }).toString() : "";
  return keyPem + chain.map((der) => toPem("CERTIFICATE", der)).join("");
}

export function secretValue(contentType: string, jwk: NodeJwk, chain: readonly Buffer[], exportable: boolean): string {
  const key = exportable ? privateKey(jwk) : undefined;
  return contentType === PEM ? pemText(key, chain) : writePfx(key, chain).toString("base64");
}

/**
 * A certificate's secret in the format `getSecret` asked for (`outContentType`, api 2026-04-01): PFX can
 * be served as PEM; anything else is refused. Returns the value and its content type.
 */
export function convertedValue(value: { value: string; contentType?: string; managed?: boolean }, wanted: string): { value: string; contentType: string } {
  const current = value.contentType ?? "";
  if (wanted !== PEM && wanted !== PKCS12) throw errors.badParameter(`outContentType must be ${PKCS12} or ${PEM}.`);
  if (!value.managed) throw errors.badParameter("outContentType applies only to the secret of a certificate.");
  if (wanted === current) return { value: value.value, contentType: current };
  if (wanted !== PEM) throw errors.badParameter("Only PFX to PEM conversion is supported.");
  const { key, certificates } = readPfx(Buffer.from(value.value, "base64"));
  return { value: pemText(key, certificates), contentType: PEM };
}
