/** @module Secret operations of the Key Vault data plane. */
import { z } from "zod";
import { applyAttributes, attributesInput, parseBody, tagsInput } from "../common/attributes.js";
import { assertObjectName, newVersion, objectId } from "../common/ids.js";
import { lifecycleRoutes } from "../common/lifecycleRoutes.js";
import { assertNotManaged, managedLifecycle } from "../common/managed.js";
import type { Entry } from "../common/versionedStore.js";
import { convertedValue } from "../certificates/secretValue.js";
import { objectEvent } from "../events/bus.js";
import { errors } from "../http/errors.js";
import type { Route, RouteContext } from "../http/route.js";
import { secretBundle, secretItem } from "./mapper.js";
import { MAX_SECRET_BYTES, type SecretVersion } from "./model.js";

const ACTION = "Microsoft.KeyVault/vaults/secrets";

const setBody = z.object({
  value: z.string({ error: "value is required and must be a string" }),
  contentType: z.string().max(255).optional(),
  tags: tagsInput.optional(),
  attributes: attributesInput.optional(),
});

const updateBody = z.object({
  contentType: z.string().max(255).optional(),
  tags: tagsInput.optional(),
  attributes: attributesInput.optional(),
});

const backupBody = z.object({ value: z.string().min(1) });

const backupContent = z.object({
  name: z.string(),
  versions: z.array(
    z.object({
      version: z.string(),
      value: z.string(),
      contentType: z.string().optional(),
      tags: z.record(z.string(), z.string()).optional(),
      attributes: z.object({
        enabled: z.boolean(),
        nbf: z.number().optional(),
        exp: z.number().optional(),
        created: z.number(),
        updated: z.number(),
      }),
    }),
  ),
});

function name(ctx: RouteContext): string {
  const secretName = ctx.params.name!;
  assertObjectName("secret", secretName);
  return secretName;
}

export const secretRoutes: Route[] = [
  ...lifecycleRoutes({
    kind: "Secret",
    collection: "secrets",
    actions: {
      read: `${ACTION}/readMetadata/action`,
      delete: `${ACTION}/delete`,
      purge: `${ACTION}/purge/action`,
      recover: `${ACTION}/recover/action`,
    },
    store: (vault) => vault.secrets,
    name,
    item: secretItem,
    bundle: (vault, secretName, version) => secretBundle(vault, secretName, version, false),
    ...managedLifecycle<SecretVersion>("Secret"),
  }),
  {
    method: "PUT",
    path: "/secrets/{name}",
    operation: "SecretSet",
    action: `${ACTION}/setSecret/action`,
    handle(ctx) {
      const secretName = name(ctx);
      if (ctx.vault.secrets.has(secretName)) assertNotManaged("Secret", ctx.vault.secrets.entry(secretName), "set");
      const body = parseBody(setBody, ctx.body);
      if (Buffer.byteLength(body.value, "utf8") > MAX_SECRET_BYTES) {
        throw errors.badParameter(`Secret value is too large: the maximum is ${MAX_SECRET_BYTES} bytes.`);
      }
      const version: SecretVersion = {
        version: newVersion(),
        value: body.value,
        attributes: applyAttributes(undefined, body.attributes, ctx.now),
        ...(body.contentType !== undefined ? { contentType: body.contentType } : {}),
        ...(body.tags ? { tags: body.tags } : {}),
      };
      const entry = ctx.vault.secrets.addVersion(secretName, version);
      ctx.events.publish(
        objectEvent(ctx.vault, "NewVersionCreated", "Secret", { name: entry.name, version: version.version, ...version.attributes }, ctx.nowMs),
      );
      return {
        body: secretBundle(ctx.vault, entry.name, version, true),
        objectId: objectId(ctx.vault.url, "secrets", entry.name, version.version),
        mutated: true,
      };
    },
  },
  {
    method: "GET",
    path: "/secrets/{name}/{version?}",
    operation: "SecretGet",
    action: `${ACTION}/getSecret/action`,
    handle(ctx) {
      const { entry, version } = ctx.vault.secrets.get(name(ctx), ctx.params.version);
      const id = objectId(ctx.vault.url, "secrets", entry.name, version.version);
      if (!version.attributes.enabled) throw errors.disabled("Secret", "get").about(id);
      const wanted = ctx.query.get("outContentType");
      const served = wanted === null ? version : { ...version, ...convertedValue(version, wanted) };
      return { body: secretBundle(ctx.vault, entry.name, served, true), objectId: id };
    },
  },
  {
    method: "PATCH",
    path: "/secrets/{name}/{version?}",
    operation: "SecretUpdate",
    action: `${ACTION}/update/action`,
    handle(ctx) {
      const body = parseBody(updateBody, ctx.body);
      const { entry, version } = ctx.vault.secrets.get(name(ctx), ctx.params.version);
      assertNotManaged("Secret", entry, "update");
      version.attributes = applyAttributes(version.attributes, body.attributes, ctx.now);
      if (body.contentType !== undefined) version.contentType = body.contentType;
      if (body.tags) version.tags = body.tags;
      version.fired = undefined;
      return {
        body: secretBundle(ctx.vault, entry.name, version, false),
        objectId: objectId(ctx.vault.url, "secrets", entry.name, version.version),
        mutated: true,
      };
    },
  },
  {
    method: "POST",
    path: "/secrets/{name}/backup",
    operation: "SecretBackup",
    action: `${ACTION}/backup/action`,
    handle(ctx) {
      const entry = ctx.vault.secrets.entry(name(ctx));
      assertNotManaged("Secret", entry, "backup");
      const content = { name: entry.name, versions: entry.versions.map(({ fired: _fired, ...v }) => v) };
      return { body: { value: ctx.backups.seal("secret", content) }, objectId: objectId(ctx.vault.url, "secrets", entry.name) };
    },
  },
  {
    method: "POST",
    path: "/secrets/restore",
    operation: "SecretRestore",
    action: `${ACTION}/restore/action`,
    handle(ctx) {
      const { value } = parseBody(backupBody, ctx.body);
      const entry: Entry<SecretVersion> = ctx.backups.open("secret", value, backupContent);
      ctx.vault.secrets.restore(entry);
      const current = entry.versions.at(-1)!;
      return {
        body: secretBundle(ctx.vault, entry.name, current, false),
        objectId: objectId(ctx.vault.url, "secrets", entry.name, current.version),
        mutated: true,
      };
    },
  },
];
