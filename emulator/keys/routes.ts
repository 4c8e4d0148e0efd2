/** @module Key operations of the Key Vault data plane: lifecycle here, cryptography and rotation alongside. */
import { z } from "zod";
import { applyAttributes, parseBody, type AttributesInput } from "../common/attributes.js";
import { lifecycleRoutes } from "../common/lifecycleRoutes.js";
import { errors } from "../http/errors.js";
import type { Route, RouteContext } from "../http/route.js";
import { keyRotationPolicy, keyVersion } from "../state/snapshot.js";
import { keyBundle, keyId, keyItem } from "./mapper.js";
import { ecSpec, generateKeyMaterial, importKeyMaterial, rsaSpec } from "./material.js";
import { DEFAULT_KEY_OPS, keyFamily, type KeyReleasePolicy } from "./model.js";
import { operationRoutes } from "./operationRoutes.js";
import { backupBody, createBody, importBody, updateBody } from "./requests.js";
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
  if (exportable && !body.release_policy) {
    throw errors.badParameter("A release policy must be provided when creating the first version of an exportable key.");
  }
  return {
    attributes: applyAttributes(undefined, body.attributes, ctx.now),
    ...(exportable ? { exportable } : {}),
    ...(body.release_policy ? { releasePolicy: body.release_policy } : {}),
    ...(body.tags ? { tags: body.tags } : {}),
  };
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
      if (body.release_policy && version.releasePolicy?.immutable) {
        throw errors.badParameter("The key's release policy is immutable and cannot be changed.").about(id);
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
      const parsed = backupContent.safeParse(ctx.backups.open("key", value));
      if (!parsed.success) throw errors.badParameter("The key backup blob has an unknown format.");
      const { rotationPolicy, ...restored } = parsed.data;
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
  }),
  ...ownRoutes,
  ...operationRoutes,
  ...rotationRoutes,
];
