/**
 * @module The pending operation a create leaves: its CSR, and for Self or an issuer object the certificate
 * already made, which becomes the new version when the vault's long-running moment has passed (at once
 * when it is zero). Issuer Unknown waits for a merge. A first create also leaves a certificate with one
 * version and no X.509 yet, which Key Vault lists only with includePending.
 */
import { randomBytes, type JsonWebKey as NodeJwk } from "node:crypto";
import { applyAttributes } from "../common/attributes.js";
import { newVersion } from "../common/ids.js";
import type { EventBus } from "../events/bus.js";
import { KvError } from "../http/errors.js";
import type { Vault } from "../vault.js";
import { csrFor, issueCertificate } from "./issue.js";
import type { CertificatePolicy, CertificateVersion, PendingOperation } from "./model.js";
import { isSelfIssued, isUnknownIssuer } from "./policy.js";
import { addCertificateVersion } from "./versions.js";

export const operations = {
  get: (vault: Vault, name: string) => vault.certificateOperations.get(name.toLowerCase()),
  set: (vault: Vault, name: string, op: PendingOperation) => void vault.certificateOperations.set(name.toLowerCase(), op),
  delete: (vault: Vault, name: string) => void vault.certificateOperations.delete(name.toLowerCase()),
};

export const policies = {
  get: (vault: Vault, name: string) => vault.certificatePolicies.get(name.toLowerCase()),
  set: (vault: Vault, name: string, policy: CertificatePolicy) => void vault.certificatePolicies.set(name.toLowerCase(), policy),
  delete: (vault: Vault, name: string) => void vault.certificatePolicies.delete(name.toLowerCase()),
};

export function inProgressConflict(): KvError {
  return new KvError(
    409,
    "Conflict",
    "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.",
    "PendingCertificateInProgress",
  );
}

export interface StartRequest {
  name: string;
  policy: CertificatePolicy;
  jwk: NodeJwk;
  nowMs: number;
  /** When the made certificate becomes current (ms, vault clock). */
  completesAtMs: number;
  enabled?: boolean;
  tags?: Record<string, string>;
  preserveCertOrder?: boolean;
}

/** Starts a create; completes it at once when its moment is now. */
export function startOperation(vault: Vault, events: EventBus, request: StartRequest): PendingOperation {
  const { name, policy, jwk, nowMs } = request;
  const version = newVersion();
  const byIssuerObject = !isSelfIssued(policy) && !isUnknownIssuer(policy);
  const provider = byIssuerObject ? vault.certificateIssuers.get(policy.issuer.name.toLowerCase())?.provider : undefined;
  // A renewal whose issuer object was deleted since the certificate was made fails, as it would in Azure.
  const issuerGone = byIssuerObject && provider === undefined;
  const issued = isUnknownIssuer(policy) || issuerGone ? undefined : issueCertificate(vault, policy, jwk, nowMs, provider);
  const op: PendingOperation = {
    requestId: randomBytes(16).toString("hex"),
    version,
    issuer: policy.issuer,
    csr: csrFor(policy, jwk).toString("base64"),
    jwk: jwk,
    status: "inProgress",
    statusDetails: issued
      ? "Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later."
      : "Pending certificate created. Please Perform Merge to complete the request.",
    cancellationRequested: false,
    ...(issued ? { issued: issued.map((der) => der.toString("base64")), completesAtMs: request.completesAtMs } : {}),
    ...(issuerGone
      ? {
          status: "failed" as const,
          statusDetails: "",
          error: { code: "IssuerNotFound", message: `Issuer ${policy.issuer.name} does not exist in this vault.` },
        }
      : {}),
    ...(request.enabled !== undefined ? { enabled: request.enabled } : {}),
    ...(request.tags ? { tags: request.tags } : {}),
    ...(request.preserveCertOrder ? { preserveCertOrder: true } : {}),
  };
  if (!vault.certificates.has(name)) {
    // The certificate exists from its first create on: one version, no X.509 yet.
    const now = Math.floor(nowMs / 1000);
    const pending: CertificateVersion = {
      version,
      attributes: applyAttributes(undefined, request.enabled === undefined ? undefined : { enabled: request.enabled }, now),
      ...(request.tags ? { tags: request.tags } : {}),
    };
    vault.certificates.addVersion(name, pending);
  }
  operations.set(vault, name, op);
  if (op.completesAtMs !== undefined && op.completesAtMs <= nowMs) completeIssued(vault, events, name, op, nowMs);
  return op;
}

/** Finishes an operation with `chain` (leaf first): the new version, its key and secret. */
export function finishOperation(
  vault: Vault,
  events: EventBus,
  name: string,
  op: PendingOperation,
  chain: Buffer[],
  leaf: Buffer,
  nowMs: number,
): CertificateVersion {
  const policy = policies.get(vault, name)!;
  const stored = addCertificateVersion(vault, events, nowMs, {
    name,
    version: op.version,
    policy,
    jwk: op.jwk,
    chain,
    leaf,
    ...(op.enabled !== undefined ? { enabled: op.enabled } : {}),
    ...(op.tags ? { tags: op.tags } : {}),
    ...(op.preserveCertOrder ? { preserveCertOrder: true } : {}),
  });
  op.status = "completed";
  op.statusDetails = "";
  delete op.completesAtMs;
  delete op.issued;
  return stored;
}

function completeIssued(vault: Vault, events: EventBus, name: string, op: PendingOperation, nowMs: number): void {
  const chain = op.issued!.map((b64) => Buffer.from(b64, "base64"));
  finishOperation(vault, events, name, op, chain, chain[0]!, nowMs);
}

/** Completes issued certificates whose moment has come (all, or the one named); returns whether any did. */
export function completeDueOperations(vault: Vault, events: EventBus, nowMs: number, name?: string): boolean {
  let changed = false;
  const candidates = name === undefined ? vault.certificateOperations : new Map([[name.toLowerCase(), operations.get(vault, name)]]);
  for (const [key, op] of candidates) {
    if (!op) continue;
    if (op.status !== "inProgress" || op.completesAtMs === undefined || op.completesAtMs > nowMs) continue;
    // A certificate deleted meanwhile completes when it is recovered.
    if (!vault.certificates.has(key)) continue;
    completeIssued(vault, events, vault.certificates.entry(key).name, op, nowMs);
    changed = true;
  }
  return changed;
}

/** The CertificateOperation wire shape. */
export function operationOut(vault: Vault, name: string, op: PendingOperation) {
  return {
    id: `${vault.url}/certificates/${name}/pending`,
    issuer: op.issuer,
    csr: op.csr,
    cancellation_requested: op.cancellationRequested,
    status: op.status,
    status_details: op.statusDetails,
    ...(op.error ? { error: op.error } : {}),
    ...(op.status === "completed" ? { target: `${vault.url}/certificates/${name}` } : {}),
    request_id: op.requestId,
    ...(op.preserveCertOrder ? { preserveCertOrder: true } : {}),
  };
}
