/**
 * @module An expiry notice: one stage (days before expiry, or `expired`) reached by one version of a secret,
 * key or certificate that nothing will rotate or renew in time. Properties and reasons only: never a value.
 */
export type NoticeStage = number | "expired";

export type ObjectType = "secret" | "key" | "certificate";

/** The state of the CSR kvguard prepared for an `Unknown`-issuer certificate, when its policy entry asks for one. */
export type CsrState =
  /** A pending operation holds it: `kvguard csr VAULT/NAME` prints it. */
  | { state: "ready"; requestId?: string }
  /** kvguard made one for this version and it is no longer pending (cancelled or deleted): not made again. */
  | { state: "gone" }
  | { state: "failed"; error: string };

export interface Notice {
  vault: string;
  objectType: ObjectType;
  name: string;
  version: string;
  /** The object's id without version. */
  objectId: string;
  expiresOn: string;
  stage: NoticeStage;
  /** Whole days from `noticedAt` to the expiry; negative once expired. */
  daysLeft: number;
  /** Why nothing renews it in time, one sentence. */
  why: string;
  /** When the sweep noticed it, on the vault's clock. */
  noticedAt: string;
  /** The next stage, when one is left before expiry. */
  nextStage?: NoticeStage;
  csr?: CsrState;
}

/** `vault/name`, `vault/keys/name` or `vault/certificates/name`, as alerts write objects. */
export function noticePath(n: Pick<Notice, "vault" | "objectType" | "name">): string {
  return n.objectType === "secret" ? `${n.vault}/${n.name}` : `${n.vault}/${n.objectType}s/${n.name}`;
}
