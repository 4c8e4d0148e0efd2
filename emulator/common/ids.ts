/** @module Names, versions and object ids in Key Vault's formats. */
import { randomBytes } from "node:crypto";
import { errors } from "../http/errors.js";

const OBJECT_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** A new object version: 32 lowercase hex characters, as Key Vault issues them. */
export function newVersion(): string {
  return randomBytes(16).toString("hex");
}

export function assertObjectName(kind: "secret" | "key" | "certificate" | "issuer", name: string): void {
  if (!OBJECT_NAME.test(name)) {
    throw errors.badParameter(`The request URI contains an invalid name: ${name}. A ${kind} name must be 1-127 characters of 0-9, a-z, A-Z and -.`);
  }
}

/** `https://host/{collection}/{name}[/{version}]`: the SDK derives name and version from exactly this shape. */
export function objectId(vaultUrl: string, collection: string, name: string, version?: string): string {
  return version ? `${vaultUrl}/${collection}/${name}/${version}` : `${vaultUrl}/${collection}/${name}`;
}
