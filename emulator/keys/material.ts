/**
 * @module Key material: generating and importing private keys, and the public JWK Key Vault returns.
 * Keys are kept as node:crypto's private JWK; private parts never leave this module's `publicJwk`.
 */
import { createPrivateKey, generateKeyPair, generateKeyPairSync, type JsonWebKey as NodeJwk, type KeyObject } from "node:crypto";
import { errors } from "../http/errors.js";

const RSA_SIZES = [2048, 3072, 4096] as const;
const DEFAULT_RSA_SIZE = 2048;
const DEFAULT_CURVE = "P-256";

/** Key Vault curve name → node:crypto's name (node spells P-256K "secp256k1", in JWKs too). */
const CURVES: Record<string, string> = {
  "P-256": "P-256",
  "P-384": "P-384",
  "P-521": "P-521",
  "P-256K": "secp256k1",
};

export type KeySpec = { family: "RSA"; size: number; exponent: number } | { family: "EC"; curve: string };

export function rsaSpec(size = DEFAULT_RSA_SIZE, exponent = 65_537): KeySpec {
  if (!(RSA_SIZES as readonly number[]).includes(size)) {
    throw errors.badParameter(`Invalid key size ${size}: RSA keys are ${RSA_SIZES.join(", ")} bits.`);
  }
  if (exponent < 3 || exponent % 2 === 0) throw errors.badParameter(`Invalid public exponent ${exponent}.`);
  return { family: "RSA", size, exponent };
}

export function ecSpec(curve = DEFAULT_CURVE): KeySpec {
  if (!Object.hasOwn(CURVES, curve)) {
    throw errors.badParameter(`Invalid curve name ${curve}: supported curves are ${Object.keys(CURVES).join(", ")}.`);
  }
  return { family: "EC", curve };
}

/** Async, so a 4096-bit generation does not stall the other vaults' requests. */
export function generateKeyMaterial(spec: KeySpec): Promise<NodeJwk> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject) => (error ? reject(error) : resolve(privateKey.export({ format: "jwk" })));
    if (spec.family === "RSA") generateKeyPair("rsa", { modulusLength: spec.size, publicExponent: spec.exponent }, done);
    else generateKeyPair("ec", { namedCurve: CURVES[spec.curve]! }, done);
  });
}

/** For what the vault does on its own as its clock moves (a certificate's auto-renewal), which must be done when the move returns. */
export function generateKeyMaterialSync(spec: KeySpec): NodeJwk {
  const { privateKey } =
    spec.family === "RSA"
      ? generateKeyPairSync("rsa", { modulusLength: spec.size, publicExponent: spec.exponent })
      : generateKeyPairSync("ec", { namedCurve: CURVES[spec.curve]! });
  return privateKey.export({ format: "jwk" });
}

/** The spec an existing key was made with, so rotation makes the same kind of key. */
export function specOf(jwk: NodeJwk): KeySpec {
  if (jwk.kty === "RSA") {
    const e = Buffer.from(jwk.e!, "base64url");
    return { family: "RSA", size: rsaBits(jwk), exponent: e.readUIntBE(0, e.length) };
  }
  return { family: "EC", curve: kvCurve(jwk.crv!) };
}

export function privateKey(jwk: NodeJwk): KeyObject {
  return createPrivateKey({ key: jwk, format: "jwk" });
}

/** Stored moduli are whole bytes with no leading zero (imports are checked to be 2048/3072/4096 bits). */
export function rsaBits(jwk: NodeJwk): number {
  return Buffer.from(jwk.n!, "base64url").length * 8;
}

function kvCurve(nodeCurve: string): string {
  return Object.keys(CURVES).find((kv) => CURVES[kv] === nodeCurve) ?? nodeCurve;
}

/** Private JWK fields an import must carry, by family. */
const PRIVATE_FIELDS = { RSA: ["n", "e", "d", "p", "q", "dp", "dq", "qi"], EC: ["crv", "x", "y", "d"] } as const;

/**
 * Validates an imported private JWK (wire field names) and returns it as node re-exports it, which
 * drops anything extra and normalises the encoding.
 */
export function importKeyMaterial(family: "RSA" | "EC", wire: Record<string, unknown>): NodeJwk {
  const missing = PRIVATE_FIELDS[family].filter((f) => typeof wire[f] !== "string" || wire[f] === "");
  if (missing.length) {
    throw errors.badParameter(`The key to import must include its private part: missing ${missing.join(", ")}.`);
  }
  const fields = Object.fromEntries(PRIVATE_FIELDS[family].map((f) => [f, wire[f] as string]));
  if (family === "EC") ecSpec(fields.crv);
  const candidate: NodeJwk = family === "RSA" ? { kty: "RSA", ...fields } : { kty: "EC", ...fields, crv: CURVES[fields.crv!] };
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: candidate, format: "jwk" });
  } catch {
    throw errors.badParameter("The key to import is not a valid JSON web key.");
  }
  const jwk = key.export({ format: "jwk" });
  if (family === "RSA") rsaSpec(key.asymmetricKeyDetails!.modulusLength);
  return jwk;
}

/** The public JWK fields of the wire `key`: `n`/`e` or `crv`/`x`/`y`; never d, p, q, dp, dq, qi. */
export function publicJwk(jwk: NodeJwk): { n: string; e: string } | { crv: string; x: string; y: string } {
  return jwk.kty === "RSA" ? { n: jwk.n!, e: jwk.e! } : { crv: kvCurve(jwk.crv!), x: jwk.x!, y: jwk.y! };
}
