/** @module Key operations of the Key Vault data plane: lifecycle here, cryptography and rotation alongside. */
import { z } from "zod";
import { applyAttributes, parseBody, type AttributesInput } from "../common/attributes.js";
import { lifecycleRoutes } from "../common/lifecycleRoutes.js";
import { assertNotManaged, managedLifecycle } from "../common/managed.js";
import { errors } from "../http/errors.js";
import type { Route, RouteContext } from "../http/route.js";
import { keyRotationPolicy, keyVersion } from "../state/snapshot.js";
import { keyBundle, keyId, keyItem } from "./mapper.js";
import { ecSpec, generateKeyMaterial, importKeyMaterial, rsaSpec } from "./material.js";
import { DEFAULT_KEY_OPS, keyFamily, type KeyReleasePolicy, type KeyVersion } from "./model.js";
import { operationRoutes } from "./operationRoutes.js";
import { backupBody, createBody, importBody, releaseBody, updateBody } from "./requests.js";
import { policies } from "./rotationPolicy.js";
import { rotationRoutes } from "./rotationRoutes.js";
import { createBuckets, keyBucket } from "./throttle.js";
import { addKeyVersion, keyName } from "./versions.js";

const ACTION = "Microsoft.KeyVault/vaults/keys";

const backupContent = z.object({ name: z.string(), versions: z.array(keyVersion).min(1), rotationPolicy: keyRotationPolicy.optional() });

/** Attributes, tags, exportability and release policy of a new version, as create and import take them. */
function newVersionFields(
  ctx: RouteContext,
  body: { attributes?: AttributesInput & { exportable?: boolean }; tags?: Record<string, string>; release_policy?: KeyReleasePolicy },
) {
  const exportable = body.attributes?.exportable ?? false;
  if (exportable && !body.release_policy) throw errors.badParameter("Exportable keys must have release policy.");
  if (!exportable && body.release_policy) throw errors.badParameter("Non-exportable keys must not have release policy.");
  return {
    attributes: applyAttributes(undefined, body.attributes, ctx.now),
    ...(exportable ? { exportable } : {}),
    ...(body.release_policy ? { releasePolicy: body.release_policy } : {}),
    ...(body.tags ? { tags: body.tags } : {}),
  };
}

/** A certificate's key takes no new versions but the certificate's. */
function refuseManaged(ctx: RouteContext, name: string, operation: string): void {
  if (ctx.vault.keys.has(name)) assertNotManaged("Key", ctx.vault.keys.entry(name), operation);
}

const ownRoutes: Route[] = [
  {
    method: "POST",
    path: "/keys/{name}/create",
    operation: "KeyCreate",
    action: `${ACTION}/create/action`,
    throttle: createBuckets.create,
    async handle(ctx) {
      const name = keyName(ctx);
      refuseManaged(ctx, name, "create");
      const body = parseBody(createBody, ctx.body);
      const family = keyFamily(body.kty);
      const spec = family === "RSA" ? rsaSpec(body.key_size, body.public_exponent) : ecSpec(body.crv);
      const fields = newVersionFields(ctx, body);
      const jwk = await generateKeyMaterial(spec);
      return addKeyVersion(ctx, name, { kty: body.kty, jwk, keyOps: body.key_ops ?? DEFAULT_KEY_OPS[family], ...fields });
    },
  },
  {
    method: "PUT",
    path: "/keys/{name}",
    operation: "KeyImport",
    action: `${ACTION}/import/action`,
    throttle: createBuckets.import,
    handle(ctx) {
      const name = keyName(ctx);
      refuseManaged(ctx, name, "import");
      const body = parseBody(importBody, ctx.body);
      if (body.key.key_hsm !== undefined) {
        throw errors.badParameter("Importing an HSM-protected key blob (key_hsm, BYOK) is not supported by the local Key Vault.");
      }
      const family = keyFamily(body.key.kty);
      const jwk = importKeyMaterial(family, body.key);
      const kty = body.Hsm ? (`${family}-HSM` as const) : body.key.kty;
      return addKeyVersion(ctx, name, { kty, jwk, keyOps: body.key.key_ops ?? DEFAULT_KEY_OPS[family], ...newVersionFields(ctx, body) });
    },
  },
  {
    method: "GET",
    path: "/keys/{name}/{version?}",
    operation: "KeyGet",
    action: `${ACTION}/read`,
    throttle: keyBucket,
    handle(ctx) {
      // Unlike a secret, a disabled key is returned: only its private-key operations are refused.
      const { entry, version } = ctx.vault.keys.get(keyName(ctx), ctx.params.version);
      return { body: keyBundle(ctx.vault, entry.name, version), objectId: keyId(ctx.vault, entry.name, version.version) };
    },
  },
  {
    method: "PATCH",
    path: "/keys/{name}/{version?}",
    operation: "KeyUpdate",
    action: `${ACTION}/update/action`,
    throttle: keyBucket,
    handle(ctx) {
      const body = parseBody(updateBody, ctx.body);
      const { entry, version } = ctx.vault.keys.get(keyName(ctx), ctx.params.version);
      const id = keyId(ctx.vault, entry.name, version.version);
      assertNotManaged("Key", entry, "update");
      if (body.release_policy && version.releasePolicy?.immutable) {
        throw errors.badParameter("The key has an Immutable Key Release Policy, which cannot be changed.").about(id);
      }
      version.attributes = applyAttributes(version.attributes, body.attributes, ctx.now);
      if (body.key_ops) version.keyOps = body.key_ops;
      if (body.tags) version.tags = body.tags;
      if (body.release_policy) version.releasePolicy = body.release_policy;
      version.fired = undefined;
      return { body: keyBundle(ctx.vault, entry.name, version), objectId: id, mutated: true };
    },
  },
  {
    method: "POST",
    path: "/keys/{name}/backup",
    operation: "KeyBackup",
    action: `${ACTION}/backup/action`,
    throttle: keyBucket,
    handle(ctx) {
      const entry = ctx.vault.keys.entry(keyName(ctx));
      assertNotManaged("Key", entry, "backup");
      const policy = policies.get(ctx.vault, entry.name);
      const content = {
        name: entry.name,
        versions: entry.versions.map(({ fired: _fired, ...v }) => v),
        ...(policy ? { rotationPolicy: policy } : {}),
      };
      return { body: { value: ctx.backups.seal("key", content) }, objectId: keyId(ctx.vault, entry.name) };
    },
  },
  {
    method: "POST",
    path: "/keys/restore",
    operation: "KeyRestore",
    action: `${ACTION}/restore/action`,
    handle(ctx) {
      const { value } = parseBody(backupBody, ctx.body);
      const { rotationPolicy, ...restored } = ctx.backups.open("key", value, backupContent);
      const entry = ctx.vault.keys.restore(restored);
      policies.delete(ctx.vault, entry.name);
      if (rotationPolicy) policies.set(ctx.vault, entry.name, rotationPolicy);
      const current = entry.versions.at(-1)!;
      return {
        body: keyBundle(ctx.vault, entry.name, current),
        objectId: keyId(ctx.vault, entry.name, current.version),
        mutated: true,
      };
    },
  },
];

/**
 * Secure key release needs an exportable key with a release policy and an attestation service to judge
 * the target against it. A key without a policy is refused as Key Vault refuses it; the local Key Vault has
 * no attestation service, so a key with one is refused too, saying why.
 */
const releaseRoutes: Route[] = ["/keys/{name}/{version}/release", "/keys/{name}/release"].map((path) => ({
  method: "POST",
  path,
  operation: "KeyRelease",
  action: `${ACTION}/release/action`,
  throttle: keyBucket,
  handle(ctx) {
    const { target } = parseBody(releaseBody, ctx.body);
    const { entry, version } = ctx.vault.keys.get(keyName(ctx), ctx.params.version);
    const id = keyId(ctx.vault, entry.name, version.version);
    if (!version.exportable || !version.releasePolicy) {
      throw errors.badParameter("The key is not exportable: it has no key release policy, so it cannot be released.").about(id);
    }
    if (target.split(".").length !== 3) throw errors.badParameter("target must be an attestation token (a JWT).").about(id);
    throw errors.badParameter("The local Key Vault has no attestation service to check the target against the key release policy.").about(id);
  },
}));

export const keyRoutes: Route[] = [
  ...lifecycleRoutes({
    kind: "Key",
    collection: "keys",
    actions: { read: `${ACTION}/read`, delete: `${ACTION}/delete`, purge: `${ACTION}/purge/action`, recover: `${ACTION}/recover/action` },
    store: (vault) => vault.keys,
    name: keyName,
    item: keyItem,
    bundle: keyBundle,
    onPurge: (vault, name) => policies.delete(vault, name),
    ...managedLifecycle<KeyVersion>("Key"),
  }),
  ...ownRoutes,
  ...releaseRoutes,
  ...operationRoutes,
  ...rotationRoutes,
];
