/**
 * @module A CSR for an `Unknown`-issuer certificate whose policy-file entry asks for one (`prepareCsr`): a new
 * version is started from the certificate's own policy, which leaves a pending operation holding the CSR for
 * a person to have signed and merge. Made once per certificate version: a pending operation that exists is
 * reused (Key Vault allows one at a time), the ledger's claim keeps two sweeps from both creating, and one
 * kvguard made that was cancelled or deleted since is not made again.
 */
import type { CertificateClient, CertificateOperation, CertificatePolicy } from "@azure/keyvault-certificates";
import { ensureError, statusOf } from "../common/errors.js";
import type { NoticeLedger } from "./ledger.js";
import type { CsrState } from "./notice.js";

/** The pending operation of a certificate, or undefined when there is none. */
export async function pendingOperation(client: CertificateClient, name: string): Promise<CertificateOperation | undefined> {
  try {
    return (await client.getCertificateOperation(name)).getOperationState().certificateOperation;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

const inProgress = (op: CertificateOperation | undefined) => op?.status?.toLowerCase() === "inprogress" && op.csr !== undefined;

export interface CsrRequest {
  client: CertificateClient;
  ledger: NoticeLedger;
  vault: string;
  name: string;
  /** The certificate's current version: one CSR per version. */
  version: string;
  policy: CertificatePolicy;
  nowMs: number;
}

export async function prepareCsr(request: CsrRequest): Promise<CsrState> {
  const { client, name } = request;
  try {
    const existing = await pendingOperation(client, name);
    if (inProgress(existing)) return { state: "ready", ...(existing!.requestId ? { requestId: existing!.requestId } : {}) };
    const claim = await request.ledger.claim(request.vault, `csr|${name}|${request.version}`, request.nowMs);
    if (claim.state === "done") return { state: "gone" };
    if (claim.state === "busy") return { state: "failed", error: "another sweep is preparing it now" };
    try {
      // The stored policy as it is (issuer Unknown): Key Vault makes the key and the CSR, and waits for a merge.
      await client.beginCreateCertificate(name, request.policy);
    } catch (error) {
      // 409: a pending operation appeared meanwhile (another kvguard, a person); it holds a CSR just as well.
      if (statusOf(error) !== 409) throw error;
    }
    const made = await pendingOperation(client, name);
    if (!inProgress(made)) return { state: "failed", error: `no pending operation after the create (status ${made?.status ?? "none"})` };
    await claim.done({ requestId: made!.requestId ?? "" });
    return { state: "ready", ...(made!.requestId ? { requestId: made!.requestId } : {}) };
  } catch (error) {
    return { state: "failed", error: ensureError(error).message.split("\n")[0]!.slice(0, 300) };
  }
}

/** PEM of a CSR's DER bytes. */
export function csrPem(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join("\n")}\n-----END CERTIFICATE REQUEST-----\n`;
}
