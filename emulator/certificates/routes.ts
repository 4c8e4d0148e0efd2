/**
 * @module Certificate operations of the Key Vault data plane: lifecycle (shared with secrets and keys,
 * carrying the certificate's key and secret along), create, import, get, update, policy, backup and
 * restore. The pending operation, contacts and issuers are alongside.
 */
import { z } from "zod";
import { parseBody, tagsInput } from "../common/attributes.js";
import { newVersion, objectId } from "../common/ids.js";
import { lifecycleRoutes } from "../common/lifecycleRoutes.js";
import type { Entry } from "../common/versionedStore.js";
import { errors } from "../http/errors.js";
import type { Route, RouteContext } from "../http/route.js";
import { readCertificate } from "../pki/certificate.js";
import { certificateVersion, keyVersion, secretVersion } from "../state/snapshot.js";
import type { Vault } from "../vault.js";
import { newKeyFor } from "./issue.js";
import { readImport } from "./importValue.js";
import { certificateBundle, certificateItem } from "./mapper.js";
import { certificatePolicy, SELF, UNKNOWN, type CertificatePolicy, type CertificateVersion } from "./model.js";
import { assertCanAddVersion, certificateName } from "./names.js";
import { operationOut, operations, policies, startOperation } from "./operations.js";
import { pendingRoutes } from "./pendingRoutes.js";
import { importedPolicy, mergePolicy, policyOut } from "./policy.js";
import { settingsRoutes } from "./settingsRoutes.js";
import { addCertificateVersion, currentKey, mirrorAttributes } from "./versions.js";

const ACTION = "Microsoft.KeyVault/vaults/certificates";

const attributes = z.object({ enabled: z.boolean().optional() }).loose();
const createBody = z.object({
  policy: z.unknown().optional(),
  attributes: attributes.optional(),
  tags: tagsInput.optional(),
  preserveCertOrder: z.boolean().optional(),
});
const importBody = createBody.extend({
  value: z.string({ error: "value (the certificate, base64 PFX or PEM) is required" }).min(1),
  pwd: z.string().optional(),
});
const updateBody = z.object({ policy: z.unknown().optional(), attributes: attributes.optional(), tags: tagsInput.optional() });
const backupBody = z.object({ value: z.string().min(1) });

const backupContent = z.object({
  name: z.string(),
  versions: z.array(certificateVersion).min(1),
  policy: certificatePolicy,
  keyVersions: z.array(keyVersion),
  secretVersions: z.array(secretVersion),
});

function bundle(vault: Vault, name: string, version: CertificateVersion) {
  return certificateBundle(vault, name, version, policies.get(vault, name));
}

/** A policy's issuer must be Self, Unknown or one of the vault's issuer objects. */
function assertIssuerKnown(vault: Vault, policy: CertificatePolicy): void {
  const name = policy.issuer.name.toLowerCase();
  if (name === SELF.toLowerCase() || name === UNKNOWN.toLowerCase() || vault.certificateIssuers.has(name)) return;
  throw errors.badParameter(`Issuer ${policy.issuer.name} does not exist in this vault: create it first, or use Self or Unknown.`);
}

/** The policy a create uses: the one sent (over Key Vault's defaults), else the certificate's own. */
function createPolicy(ctx: RouteContext, name: string, sent: unknown): CertificatePolicy {
  const stored = policies.get(ctx.vault, name);
  if (sent === undefined) {
    if (!stored) throw errors.badParameter("The first create of a certificate needs a policy.");
    return stored;
  }
  const policy = mergePolicy(undefined, sent, ctx.now);
  if (stored) policy.attributes.created = stored.attributes.created;
  assertIssuerKnown(ctx.vault, policy);
  return policy;
}

/** Merges an update into the certificate's policy, checked, and stores it. */
function updatePolicy(ctx: RouteContext, name: string, sent: unknown): CertificatePolicy {
  const policy = mergePolicy(policies.get(ctx.vault, name), sent, ctx.now);
  assertIssuerKnown(ctx.vault, policy);
  policies.set(ctx.vault, name, policy);
  return policy;
}

const ownRoutes: Route[] = [
  {
    method: "POST",
    path: "/certificates/{name}/create",
    operation: "CertificateCreate",
    action: `${ACTION}/create/action`,
    async handle(ctx) {
      const name = certificateName(ctx);
      const body = parseBody(createBody, ctx.body);
      assertCanAddVersion(ctx.vault, name);
      const policy = createPolicy(ctx, name, body.policy);
      const jwk = await newKeyFor(policy, currentKey(ctx.vault, name));
      // Key generation yields to other requests: check again before changing anything.
      assertCanAddVersion(ctx.vault, name);
      policies.set(ctx.vault, name, policy);
      const op = startOperation(ctx.vault, ctx.events, {
        name,
        policy,
        jwk,
        nowMs: ctx.nowMs,
        completesAtMs: ctx.nowMs + ctx.lroMs,
        ...(body.attributes?.enabled !== undefined ? { enabled: body.attributes.enabled } : {}),
        ...(body.tags ? { tags: body.tags } : {}),
        ...(body.preserveCertOrder ? { preserveCertOrder: true } : {}),
      });
      const entryName = ctx.vault.certificates.entry(name).name;
      const apiVersion = ctx.query.get("api-version") ?? "";
      return {
        status: 202,
        body: operationOut(ctx.vault, entryName, op),
        objectId: `${objectId(ctx.vault.url, "certificates", entryName)}/pending`,
        headers: { Location: `${ctx.vault.url}/certificates/${entryName}/pending?api-version=${apiVersion}&request_id=${op.requestId}` },
        mutated: true,
      };
    },
  },
  {
    method: "POST",
    path: "/certificates/{name}/import",
    operation: "CertificateImport",
    action: `${ACTION}/import/action`,
    handle(ctx) {
      const name = certificateName(ctx);
      const body = parseBody(importBody, ctx.body);
      assertCanAddVersion(ctx.vault, name);
      const material = readImport(body.value, body.pwd, body.preserveCertOrder ?? false);
      const leafFacts = readCertificate(material.leaf);
      const policy = importedPolicy(policies.get(ctx.vault, name), body.policy ?? {}, leafFacts, material.keyFields, material.contentType, ctx.now);
      assertIssuerKnown(ctx.vault, policy);
      policies.set(ctx.vault, name, policy);
      // An import replaces whatever the last create left pending.
      operations.delete(ctx.vault, name);
      const version = addCertificateVersion(ctx.vault, ctx.events, ctx.nowMs, {
        name,
        version: newVersion(),
        policy,
        jwk: material.jwk,
        chain: material.chain,
        leaf: material.leaf,
        ...(body.attributes?.enabled !== undefined ? { enabled: body.attributes.enabled } : {}),
        ...(body.tags ? { tags: body.tags } : {}),
        ...(body.preserveCertOrder ? { preserveCertOrder: true } : {}),
      });
      const entryName = ctx.vault.certificates.entry(name).name;
      return { body: bundle(ctx.vault, entryName, version), objectId: objectId(ctx.vault.url, "certificates", entryName, version.version), mutated: true };
    },
  },
  {
    method: "GET",
    path: "/certificates/{name}/policy",
    operation: "CertificatePolicyGet",
    action: `${ACTION}/read`,
    handle(ctx) {
      const entry = ctx.vault.certificates.entry(certificateName(ctx));
      return {
        body: policyOut(ctx.vault, entry.name, policies.get(ctx.vault, entry.name)!),
        objectId: `${objectId(ctx.vault.url, "certificates", entry.name)}/policy`,
      };
    },
  },
  {
    method: "PATCH",
    path: "/certificates/{name}/policy",
    operation: "CertificatePolicyUpdate",
    action: `${ACTION}/update/action`,
    handle(ctx) {
      const entry = ctx.vault.certificates.entry(certificateName(ctx));
      const policy = updatePolicy(ctx, entry.name, ctx.body);
      return { body: policyOut(ctx.vault, entry.name, policy), objectId: `${objectId(ctx.vault.url, "certificates", entry.name)}/policy`, mutated: true };
    },
  },
  {
    method: "GET",
    path: "/certificates/{name}/{version?}",
    operation: "CertificateGet",
    action: `${ACTION}/read`,
    handle(ctx) {
      const { entry, version } = ctx.vault.certificates.get(certificateName(ctx), ctx.params.version);
      return { body: bundle(ctx.vault, entry.name, version), objectId: objectId(ctx.vault.url, "certificates", entry.name, version.version) };
    },
  },
  {
    method: "PATCH",
    path: "/certificates/{name}/{version?}",
    operation: "CertificateUpdate",
    action: `${ACTION}/update/action`,
    handle(ctx) {
      const body = parseBody(updateBody, ctx.body);
      const { entry, version } = ctx.vault.certificates.get(certificateName(ctx), ctx.params.version);
      if (body.policy !== undefined) updatePolicy(ctx, entry.name, body.policy);
      // nbf and exp come from the X.509 certificate: only enabled can change (so expiry notices stand).
      if (body.attributes?.enabled !== undefined) version.attributes.enabled = body.attributes.enabled;
      version.attributes.updated = ctx.now;
      if (body.tags) version.tags = body.tags;
      mirrorAttributes(ctx.vault, entry.name, version);
      return { body: bundle(ctx.vault, entry.name, version), objectId: objectId(ctx.vault.url, "certificates", entry.name, version.version), mutated: true };
    },
  },
  {
    method: "POST",
    path: "/certificates/{name}/backup",
    operation: "CertificateBackup",
    action: `${ACTION}/backup/action`,
    handle(ctx) {
      const entry = ctx.vault.certificates.entry(certificateName(ctx));
      const strip = <V extends { fired?: unknown }>(versions: V[]) => versions.map(({ fired: _fired, ...v }) => v);
      const content = {
        name: entry.name,
        versions: strip(entry.versions),
        policy: policies.get(ctx.vault, entry.name)!,
        keyVersions: strip(ctx.vault.keys.versionsOf(entry.name)),
        secretVersions: strip(ctx.vault.secrets.versionsOf(entry.name)),
      };
      return { body: { value: ctx.backups.seal("certificate", content) }, objectId: objectId(ctx.vault.url, "certificates", entry.name) };
    },
  },
  {
    method: "POST",
    path: "/certificates/restore",
    operation: "CertificateRestore",
    action: `${ACTION}/restore/action`,
    handle(ctx) {
      const { value } = parseBody(backupBody, ctx.body);
      const { name, versions, policy, keyVersions, secretVersions } = ctx.backups.open("certificate", value, backupContent);
      // Check every name before restoring any, so a conflict leaves nothing half restored.
      ctx.vault.certificates.assertFree(name, true);
      if (keyVersions.length) ctx.vault.keys.assertFree(name, true);
      if (secretVersions.length) ctx.vault.secrets.assertFree(name, true);
      const entry = ctx.vault.certificates.restore({ name, versions });
      if (keyVersions.length) ctx.vault.keys.restore({ name, versions: keyVersions });
      if (secretVersions.length) ctx.vault.secrets.restore({ name, versions: secretVersions });
      policies.set(ctx.vault, name, policy);
      operations.delete(ctx.vault, name);
      const current = entry.versions.at(-1)!;
      return { body: bundle(ctx.vault, name, current), objectId: objectId(ctx.vault.url, "certificates", name, current.version), mutated: true };
    },
  },
];

/** A first create's certificate, still without X.509, is listed only when the caller asks for pending ones. */
function listed(ctx: RouteContext, entry: Entry<CertificateVersion>): boolean {
  return ctx.query.get("includePending") === "true" || entry.versions.some((v) => v.cer !== undefined);
}

export const certificateRoutes: Route[] = [
  ...lifecycleRoutes<CertificateVersion>({
    kind: "Certificate",
    collection: "certificates",
    actions: { read: `${ACTION}/read`, delete: `${ACTION}/delete`, purge: `${ACTION}/purge/action`, recover: `${ACTION}/recover/action` },
    store: (vault) => vault.certificates,
    name: certificateName,
    item: certificateItem,
    bundle,
    listed,
    onDelete(ctx, name, settlesAtMs) {
      for (const store of [ctx.vault.keys, ctx.vault.secrets] as const) {
        if (store.has(name)) store.delete(name, ctx.now, ctx.vault.settings.softDeleteRetentionDays, settlesAtMs);
      }
    },
    onRecover(ctx, name, settlesAtMs) {
      for (const store of [ctx.vault.keys, ctx.vault.secrets] as const) {
        if (store.deletedEntry(name)) store.recover(name, settlesAtMs);
      }
    },
    onPurge(vault, name) {
      for (const store of [vault.keys, vault.secrets] as const) if (store.deletedEntry(name)) store.purge(name);
      policies.delete(vault, name);
      operations.delete(vault, name);
    },
  }),
  ...ownRoutes,
  ...pendingRoutes,
  ...settingsRoutes,
];
