/**
 * @module What a rotator is: the AWS-style steps the engine drives (create, set, test, then the engine
 * finishes in Key Vault) plus revoke after the grace period. Every step may run again after a crash or a
 * retry, so each must be idempotent: `set` succeeds when the credential is already applied, `revoke` when
 * the old credential is already gone.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { TableClient } from "@azure/data-tables";
import type { CloudConfig } from "../config/cloudSettings.js";
import type { VaultTarget } from "../config/vaultUrl.js";
import type { Target, TlsMode } from "../rotation/bindings.js";

/** A credential as the engine hands it around: the value and what the rotator needs to find it again. */
export interface Credential {
  value: string;
  /** Rotator state kept with the credential (an Entra keyId, the alternate user's name...); never a secret. */
  metadata: Record<string, string>;
}

/** What the app gives rotators that reach past the vault (ARM, Graph): kvguard's identity and the cloud's endpoints. */
export interface RotatorRuntime {
  credential: TokenCredential;
  cloud: CloudConfig;
  /** The local cloud's CA (PEM); absent against Azure. */
  ca?: string;
  /** The Entra tenant the operator pinned (KVGUARD_ENTRA_TENANT_ID); absent: kvguard's own. */
  entraTenantId?: string;
  /** A table of kvguard's state storage, created when missing: notes a rotator keeps across a crash (key-pair). */
  stateTable?: (name: string) => Promise<TableClient>;
}

/** What a rotator is told about the secret it rotates. */
export interface RotatorContext {
  vault: VaultTarget;
  secretName: string;
  /** The secret's content type, which says how the value is laid out (a password, JSON...). */
  contentType?: string;
  /** Microsoft's tags: the credential at the target and where the target is. */
  credentialId?: string;
  providerAddress?: string;
  /** Rotator options from the policy, already checked by the rotator's `options` schema. */
  options: Record<string, unknown>;
  runtime: RotatorRuntime;
  /** Messages for the rotation's history; never pass a secret value. */
  log(message: string): void;
  /**
   * Reads another secret of the same vault (a managing credential named in the policy, or the live secret
   * itself). The engine supplies it; its value must never be logged.
   */
  readSecret?(name: string): Promise<VaultSecretValue>;
  /**
   * The weakest TLS the operator's binding allows at a database host (`verify` when none does): the mode
   * used when the secret asks for none; a secret asking for a weaker one is refused.
   */
  tlsFloor?: (host: string, port: number) => TlsMode;
}

/** A secret as `readSecret` returns it. */
export interface VaultSecretValue {
  value: string;
  contentType?: string;
  tags: Record<string, string>;
}

export interface SecretRotator {
  readonly name: string;
  /**
   * "single": setting the new credential invalidates the old one (a password changed in place).
   * "dual": both work until `revoke` (key1/key2, alternating users, Entra client secrets).
   */
  readonly credentials: "single" | "dual";
  /**
   * A side effect of every rotation that users must hear about (regenerating a storage key revokes the SAS
   * tokens signed with it): carried in the finish history row and the rotation alert.
   */
  readonly rotationWarning?: string;
  /**
   * Options only the operator's policy file may set (they decide whom kvguard trusts: a CA, the name a
   * certificate must carry); the same option in a `kvguard-options` tag is an error.
   */
  readonly operatorOptions?: readonly string[];
  /** Checks and normalises the policy's options; throws an Error whose message names the bad option. */
  parseOptions(options: Record<string, unknown>): Record<string, unknown>;
  /** Makes or requests the new credential. Not yet applied anywhere. */
  create(ctx: RotatorContext, current: Credential): Promise<Credential>;
  /** Applies the pending credential at the target. Must succeed if it is already applied. */
  set(ctx: RotatorContext, pending: Credential, current: Credential): Promise<void>;
  /** Proves the credential works at the target; throws when it does not. */
  test(ctx: RotatorContext, credential: Credential, which: "current" | "pending"): Promise<void>;
  /**
   * Everything a rotation (or revoke) will reach, from the resolved options and the current value, before
   * any side effect: the engine refuses targets the operator did not bind. A rotator without it reaches
   * nothing outside Key Vault.
   */
  targets?(ctx: RotatorContext, current: Credential): Promise<Target[]>;
  /**
   * What the proven current credential is (the login, keyId or key name), from its value and kvguard's own
   * record in `current.metadata`, never from a tag: kvguard records it and revokes exactly that after grace.
   */
  identify?(ctx: RotatorContext, current: Credential): Promise<Record<string, string>>;
  /** Removes the old credential after the grace period. Must succeed if it is already gone. */
  revoke(ctx: RotatorContext, previous: Credential): Promise<void>;
  /**
   * Proves, changing nothing, the managing credential `set` and `revoke` act with (`kvguard rotate --check`);
   * says what it proved. Absent when the rotation acts with the current credential alone or with nothing.
   */
  checkManager?(ctx: RotatorContext, current: Credential): Promise<string>;
}
