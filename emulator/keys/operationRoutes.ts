/**
 * @module Cryptographic operations with a vault key: sign, verify, encrypt, decrypt, wrapKey, unwrapKey.
 * Each is served at `/keys/{name}/{version}/{op}` and, for a versionless key id (the SDK then sends an
 * empty version, `/keys/{name}//{op}`), at `/keys/{name}/{op}` with the current version.
 */
import { parseBody } from "../common/attributes.js";
import { errors, KvError } from "../http/errors.js";
import type { Route, RouteContext, RouteResult } from "../http/route.js";
import { decrypt, encrypt, sign, verify } from "./crypto/algorithms.js";
import { keyId } from "./mapper.js";
import type { KeyOperation, KeyVersion } from "./model.js";
import { cryptBody, signBody, verifyBody } from "./requests.js";
import { keyBucket } from "./throttle.js";
import { keyName } from "./versions.js";

type CryptoOperation = Extract<KeyOperation, "sign" | "verify" | "encrypt" | "decrypt" | "wrapKey" | "unwrapKey">;

/**
 * Key Vault refuses a disabled key only the operations that use its private half, and outside nbf/exp
 * only those that make new ciphertext or signatures: data protected earlier stays recoverable.
 */
const PRIVATE = new Set<CryptoOperation>(["sign", "decrypt", "unwrapKey"]);
const TIME_BOUND = new Set<CryptoOperation>(["sign", "encrypt", "wrapKey"]);

function assertUsable(version: KeyVersion, operation: CryptoOperation, now: number): void {
  const { enabled, nbf, exp } = version.attributes;
  if (!enabled && PRIVATE.has(operation)) throw errors.disabled("Key", operation);
  if (TIME_BOUND.has(operation) && nbf !== undefined && now < nbf) throw errors.notYetValid("Key", operation);
  if (TIME_BOUND.has(operation) && exp !== undefined && now >= exp) throw errors.expired("Key", operation);
  if (!version.keyOps.includes(operation)) throw errors.operationNotPermitted(operation);
}

interface OperationSpec {
  operation: CryptoOperation;
  /** Path segment, as the SDK spells it. */
  segment: string;
  audit: string;
  /** The RBAC data action's verb: `keys/{verb}/action`. */
  verb: string;
  run(version: KeyVersion, body: unknown): string | boolean;
}

function signRun(version: KeyVersion, body: unknown): string {
  const { alg, value } = parseBody(signBody, body);
  return sign(version, alg, value).toString("base64url");
}

function verifyRun(version: KeyVersion, body: unknown): boolean {
  const { alg, digest, value } = parseBody(verifyBody, body);
  return verify(version, alg, digest, value);
}

function encryptRun(version: KeyVersion, body: unknown): string {
  const { alg, value } = parseBody(cryptBody, body);
  return encrypt(version, alg, value).toString("base64url");
}

function decryptRun(version: KeyVersion, body: unknown): string {
  const { alg, value } = parseBody(cryptBody, body);
  return decrypt(version, alg, value).toString("base64url");
}

const OPERATIONS: OperationSpec[] = [
  { operation: "sign", segment: "sign", audit: "KeySign", verb: "sign", run: signRun },
  { operation: "verify", segment: "verify", audit: "KeyVerify", verb: "verify", run: verifyRun },
  { operation: "encrypt", segment: "encrypt", audit: "KeyEncrypt", verb: "encrypt", run: encryptRun },
  { operation: "decrypt", segment: "decrypt", audit: "KeyDecrypt", verb: "decrypt", run: decryptRun },
  { operation: "wrapKey", segment: "wrapkey", audit: "KeyWrap", verb: "wrap", run: encryptRun },
  { operation: "unwrapKey", segment: "unwrapkey", audit: "KeyUnwrap", verb: "unwrap", run: decryptRun },
];

function handler(spec: OperationSpec) {
  return (ctx: RouteContext): RouteResult => {
    const { entry, version } = ctx.vault.keys.get(keyName(ctx), ctx.params.version);
    const kid = keyId(ctx.vault, entry.name, version.version);
    try {
      assertUsable(version, spec.operation, ctx.now);
      const value = spec.run(version, ctx.body);
      // verify answers `{value}` alone (KeyVerifyResult); the others name the key version used.
      return { body: typeof value === "boolean" ? { value } : { kid, value }, objectId: kid };
    } catch (error) {
      throw error instanceof KvError ? error.about(kid) : error;
    }
  };
}

export const operationRoutes: Route[] = OPERATIONS.flatMap((spec) =>
  ["/keys/{name}/{version}", "/keys/{name}"].map((base): Route => ({
    method: "POST",
    path: `${base}/${spec.segment}`,
    operation: spec.audit,
    action: `Microsoft.KeyVault/vaults/keys/${spec.verb}/action`,
    throttle: keyBucket,
    handle: handler(spec),
  })),
);
