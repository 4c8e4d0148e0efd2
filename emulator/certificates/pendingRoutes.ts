/**
 * @module A certificate's pending operation: get (optionally checking its request id), cancel, delete, and
 * merge, which completes an Unknown-issuer create with the certificate a CA signed from its CSR.
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import { z } from "zod";
import { parseBody, tagsInput } from "../common/attributes.js";
import { objectId } from "../common/ids.js";
import { errors, KvError } from "../http/errors.js";
import type { Route, RouteContext } from "../http/route.js";
import { privateKey } from "../keys/material.js";
import { pemBlocks } from "../pki/pem.js";
import { certificateBundle } from "./mapper.js";
import { UNKNOWN, type PendingOperation } from "./model.js";
import { certificateName } from "./names.js";
import { finishOperation, operationOut, operations, policies } from "./operations.js";

const ACTION = "Microsoft.KeyVault/vaults/certificates";

const cancelBody = z.object({ cancellation_requested: z.boolean({ error: "cancellation_requested is required" }) });
const mergeBody = z.object({
  x5c: z.array(z.string().min(1)).min(1, { message: "x5c needs at least the signed certificate" }),
  attributes: z.object({ enabled: z.boolean().optional() }).loose().optional(),
  tags: tagsInput.optional(),
});

function pendingNotFound(name: string): KvError {
  return new KvError(404, "PendingCertificateNotFound", `Pending certificate not found: ${name}`);
}

function pendingOf(ctx: RouteContext): { name: string; op: PendingOperation } {
  const requested = certificateName(ctx);
  if (!ctx.vault.certificates.has(requested)) throw pendingNotFound(requested);
  const name = ctx.vault.certificates.entry(requested).name;
  const op = operations.get(ctx.vault, name);
  const requestId = ctx.query.get("request_id");
  if (!op || (requestId !== null && requestId !== op.requestId)) throw pendingNotFound(name);
  return { name, op };
}

function pendingId(ctx: RouteContext, name: string): string {
  return `${objectId(ctx.vault.url, "certificates", name)}/pending`;
}

/**
 * An x5c entry is base64 DER; Key Vault also takes base64 of PEM or of base64 text (what the SDK sends when
 * given the bytes of a PEM file's body), so each layer is peeled until DER appears.
 */
function certificateDer(entry: string): Buffer {
  let bytes: Buffer = Buffer.from(entry, "base64");
  for (let depth = 0; depth < 3 && bytes[0] !== 0x30; depth++) {
    const text = bytes.toString("latin1");
    bytes = text.includes("-----BEGIN") ? (pemBlocks(text)[0]?.der ?? Buffer.alloc(0)) : Buffer.from(text.trim(), "base64");
  }
  try {
    return Buffer.from(new X509Certificate(bytes).raw);
  } catch {
    throw errors.badParameter("An x5c entry is not an X.509 certificate (base64 DER or PEM).");
  }
}

export const pendingRoutes: Route[] = [
  {
    method: "GET",
    path: "/certificates/{name}/pending",
    operation: "CertificatePendingGet",
    action: `${ACTION}/read`,
    handle(ctx) {
      const { name, op } = pendingOf(ctx);
      return { body: operationOut(ctx.vault, name, op), objectId: pendingId(ctx, name) };
    },
  },
  {
    method: "PATCH",
    path: "/certificates/{name}/pending",
    operation: "CertificatePendingUpdate",
    action: `${ACTION}/update/action`,
    handle(ctx) {
      const { cancellation_requested } = parseBody(cancelBody, ctx.body);
      const { name, op } = pendingOf(ctx);
      if (op.status !== "inProgress") {
        throw errors.badParameter(`The certificate operation is ${op.status}: only an operation in progress can be cancelled.`).about(pendingId(ctx, name));
      }
      if (cancellation_requested) {
        // The local issuers act on a cancellation at once: nothing will be issued or merged.
        op.cancellationRequested = true;
        op.status = "cancelled";
        op.statusDetails = "The certificate request was cancelled.";
        delete op.issued;
        delete op.completesAtMs;
      }
      return { body: operationOut(ctx.vault, name, op), objectId: pendingId(ctx, name), mutated: true };
    },
  },
  {
    method: "DELETE",
    path: "/certificates/{name}/pending",
    operation: "CertificatePendingDelete",
    action: `${ACTION}/delete`,
    handle(ctx) {
      const { name, op } = pendingOf(ctx);
      operations.delete(ctx.vault, name);
      return { body: operationOut(ctx.vault, name, op), objectId: pendingId(ctx, name), mutated: true };
    },
  },
  {
    method: "POST",
    path: "/certificates/{name}/pending/merge",
    operation: "CertificatePendingMerge",
    action: `${ACTION}/create/action`,
    handle(ctx) {
      const body = parseBody(mergeBody, ctx.body);
      const { name, op } = pendingOf(ctx);
      const id = pendingId(ctx, name);
      if (op.status !== "inProgress") throw errors.badParameter(`The certificate operation is ${op.status}: there is nothing to merge.`).about(id);
      if (op.issuer.name.toLowerCase() !== UNKNOWN.toLowerCase()) {
        throw new KvError(403, "Forbidden", `Merge is only for certificates of issuer Unknown; issuer ${op.issuer.name} completes the request itself.`).about(
          id,
        );
      }
      const certificates = body.x5c.map(certificateDer);
      const publicKey = createPublicKey(privateKey(op.jwk));
      if (!new X509Certificate(certificates[0]!).publicKey.equals(publicKey)) {
        throw errors.badParameter("Public key from x509 certificate and key of this instance doesn't match.").about(id);
      }
      if (body.attributes?.enabled !== undefined) op.enabled = body.attributes.enabled;
      if (body.tags) op.tags = body.tags;
      const version = finishOperation(ctx.vault, ctx.events, name, op, certificates, certificates[0]!, ctx.nowMs);
      return {
        status: 201,
        body: certificateBundle(ctx.vault, name, version, policies.get(ctx.vault, name)),
        objectId: objectId(ctx.vault.url, "certificates", name, version.version),
        mutated: true,
      };
    },
  },
];
