/**
 * @module What a native rotator is: Key Vault makes the new version of its own objects (keys, certificates),
 * so a native rotator has no credential to carry between steps. The engine drives three idempotent steps under
 * the object's lock, and records its intent before the one that writes:
 *
 *   reconcile (bring Key Vault's own policy in line) → start (ask Key Vault for a new version) → confirm (see it current)
 *
 * A rerun after a kill finds the intent, asks `inFlight` and `read` whether the version was already made, and
 * never starts a second one.
 */
import type { CertificateClient } from "@azure/keyvault-certificates";
import type { KeyClient } from "@azure/keyvault-keys";
import type { VaultTarget } from "../config/vaultUrl.js";

/** Key Vault's objects that make their own versions. */
export type NativeKind = "key" | "certificate";

/** The vault's clients a native rotator acts through. */
export interface NativeClients {
  target: VaultTarget;
  keys: KeyClient;
  certificates: CertificateClient;
}

export interface NativeContext {
  vault: NativeClients;
  name: string;
  /** The vault's clock (ms). */
  nowMs: number;
}

/** An object's current version, as listing or reading it shows (never a value). */
export interface NativeObject {
  name: string;
  version: string;
  tags: Record<string, string>;
  createdOn?: Date;
  notBefore?: Date;
  expiresOn?: Date;
  enabled?: boolean;
  /** Set on the key and secret that back a certificate: the certificate is what kvguard renews. */
  managed?: boolean;
}

/** The policy fields of an object, tags over its policy-file entry (src/rotation/policy.ts `policyFields`). */
export interface NativePolicyFields {
  rotateEvery?: string;
  validityPeriodDays?: string;
  rotateBeforeExpiryDays?: string;
  /** The object's tags (those the policy file does not lock), for rotator-specific ones. */
  tags: Record<string, string>;
}

/** Whether a new version is due, and why not. */
export type NativeDue = { due: true; reason: string } | { due: false; reason: string; nextDueAtMs?: number };

export interface NativeRotator<P = unknown> {
  readonly name: string;
  readonly kind: NativeKind;
  /** What a finish says: "rotated the key", "renewed the certificate". */
  readonly verb: string;
  /** The rotator an object of this kind gets without a tag or policy-file entry (certificates); absent: none. */
  readonly byDefault?: boolean;
  /** Checks the policy fields; throws an Error naming the bad field. */
  parsePolicy(fields: NativePolicyFields): P;
  /** Every object of the kind in the vault (properties only). */
  list(vault: NativeClients): AsyncIterable<NativeObject>;
  /** The current version; undefined when there is no such object. */
  read(ctx: NativeContext): Promise<NativeObject | undefined>;
  /** Due on schedule? Events and on-demand requests make a version whatever this says. */
  due(policy: P, object: NativeObject, nowMs: number): NativeDue;
  /**
   * Why kvguard leaves this object alone (read only, no side effect): Key Vault makes its versions itself
   * (`not-due`), or nobody but a person can (`cannot-renew`); undefined: kvguard makes them.
   */
  blocked?(ctx: NativeContext, policy: P, object: NativeObject): Promise<{ outcome: "not-due" | "cannot-renew"; reason: string } | undefined>;
  /** Brings Key Vault's own policy for the object in line; says what it changed, undefined when nothing. */
  reconcile?(ctx: NativeContext, policy: P): Promise<string | undefined>;
  /** Whether a new version asked for earlier is still being made (a certificate's pending operation). */
  inFlight(ctx: NativeContext): Promise<boolean>;
  /** Asks Key Vault for a new version; says what it asked. */
  start(ctx: NativeContext, policy: P, object: NativeObject): Promise<string>;
  /** Waits until the version asked for is made, and returns the current object; throws when making it failed. */
  confirm(ctx: NativeContext): Promise<NativeObject>;
}
