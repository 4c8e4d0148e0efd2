/**
 * @module Rotating a managing credential itself (a database admin secret kvguard uses to rotate other users).
 *
 * - **Only where the operator allows it**: a secret that a `managers[]` entry names, or that carries the
 *   `kvguard-manager-for` tag, is rotated only when a `managers[]` entry for it says `rotate: true`, by a SQL
 *   rotator with the `single` strategy through its own connection (no `manager` option), and only when its tag
 *   names no secret the entry's `for` does not (those are the consumers kvguard orders around it).
 * - **Ordered around its consumers** (`ManagerLocks`, the engine's lock): the manager's rotation takes, after
 *   its own lock, the locks of every secret of the vault its entry's `for` names, in name order, waiting as any
 *   job does; so it starts only when no consumer rotation is in flight, and a consumer rotation started meanwhile
 *   waits for it (or is retried later). A consumer's lock is refused (retried later) while its manager has an
 *   open pending credential: a manager rotation that stopped half-way (its password may already be changed at
 *   the server while Key Vault still serves the old one) is never used until a rerun finishes it.
 * - **Crash safety** is the engine's protocol: the new password is persisted as the pending credential before
 *   the server changes it, and a rerun rolls forward from any step.
 */
import type { BlobServiceClient } from "@azure/storage-blob";
import type { SecretClient } from "@azure/keyvault-secrets";
import { MANAGER_FOR_TAG, TrustRefusal, type CheckContext, type Target } from "./bindings.js";
import { anyGlob, globMatch } from "./glob.js";
import { BlobLocks, LockBusyError, type HeldLock } from "./lock.js";
import { isPendingName, PendingStore } from "./pending.js";
import type { PolicyFile } from "./policyFile.js";

const FILE = "the policy file (KVGUARD_POLICY_FILE)";

/** A consumer's rotation waits: its managing credential is being rotated (or a rotation of it stopped half-way). */
export class ManagerBusyError extends LockBusyError {
  constructor(key: string, manager: string) {
    super(key);
    this.message = `the managing credential ${manager} is being rotated (its pending credential is open); the rotation of ${key} waits for it and will be retried`;
    this.name = "ManagerBusyError";
  }
}

/** The `managers[]` entries that name `secret` of `vault`. */
function entriesFor(managers: CheckContext["managers"], vault: string, secret: string) {
  return managers.filter((m) => m.secret.toLowerCase() === secret.toLowerCase() && globMatch(m.vault, vault));
}

/**
 * Refuses the rotation of a managing credential the operator did not allow, or one kvguard would not do
 * through the credential's own connection. Anything that is not a managing credential passes.
 */
export function checkManagerRotation(targets: readonly Target[], c: CheckContext): void {
  const entries = entriesFor(c.managers, c.vault, c.secretName);
  const own = targets.find((t): t is Extract<Target, { kind: "own-login" }> => t.kind === "own-login");
  if (entries.length === 0 && !own?.managerFor.length) return;
  const allowed = entries.filter((m) => m.rotate === true);
  if (allowed.length === 0) {
    throw new TrustRefusal(
      `secret ${c.secretName} is a managing credential, which kvguard rotates only where the operator allows it`,
      `managers[].rotate: true for ${c.secretName} in ${FILE}`,
    );
  }
  if (!own || own.strategy !== "single" || own.throughManager) {
    throw new TrustRefusal(
      `the managing credential ${c.secretName} is rotated only by a SQL rotator with the single strategy through its own connection (no manager option)`,
      `the policy of ${c.secretName} (rotator postgres, mysql or sqlserver; strategy single)`,
    );
  }
  const declared = allowed.flatMap((m) => m.for.map((f) => f.toLowerCase()));
  const extra = own.managerFor.filter((f) => !declared.includes(f.toLowerCase()));
  if (extra.length) {
    throw new TrustRefusal(
      `the ${MANAGER_FOR_TAG} tag of ${c.secretName} names ${extra.join(", ")}, which its managers[].for does not: kvguard cannot order its rotation around consumers the operator did not declare`,
      `managers[].for for ${c.secretName} in ${FILE}`,
    );
  }
}

export interface ManagerLocksDeps {
  policyFile(): Promise<PolicyFile>;
  /** The SDK client of a managed vault (by kvguard's name for it). */
  secrets(vault: string): SecretClient | undefined;
}

/** The engine's per-secret locks, ordering a managing credential's rotation and its consumers' (see the module). */
export class ManagerLocks extends BlobLocks {
  constructor(
    blob: BlobServiceClient,
    readonly deps: ManagerLocksDeps,
  ) {
    super(blob);
  }

  override async acquire(vault: string, name: string, waitMs: number): Promise<HeldLock> {
    const own = await super.acquire(vault, name, waitMs);
    try {
      const secrets = this.deps.secrets(vault);
      const rotatable = secrets ? (await this.deps.policyFile()).managers.filter((m) => m.rotate === true && globMatch(m.vault, vault)) : [];
      if (!secrets || rotatable.length === 0) return own;
      const mine = rotatable.filter((m) => m.secret.toLowerCase() === name.toLowerCase());
      if (mine.length)
        return await this.#withConsumers(
          own,
          secrets,
          vault,
          name,
          mine.flatMap((m) => m.for),
          waitMs,
        );
      const pending = new PendingStore(secrets);
      for (const m of rotatable.filter((e) => anyGlob(e.for, name))) {
        if (await pending.read(m.secret)) throw new ManagerBusyError(`${vault}/${name}`.toLowerCase(), m.secret);
      }
      return own;
    } catch (error) {
      await own.release();
      throw error;
    }
  }

  /** Also takes every consumer's lock, in name order (two managers never wait on each other in a cycle for long). */
  async #withConsumers(own: HeldLock, secrets: SecretClient, vault: string, name: string, globs: string[], waitMs: number): Promise<HeldLock> {
    const consumers: string[] = [];
    for await (const p of secrets.listPropertiesOfSecrets()) {
      if (!isPendingName(p.name) && p.name.toLowerCase() !== name.toLowerCase() && anyGlob(globs, p.name)) consumers.push(p.name.toLowerCase());
    }
    const held: HeldLock[] = [];
    const releaseAll = () => Promise.all(held.map((h) => h.release())).then(() => undefined);
    try {
      for (const consumer of [...new Set(consumers)].sort()) held.push(await super.acquire(vault, consumer, waitMs));
    } catch (error) {
      await releaseAll();
      throw error;
    }
    held.push(own);
    return { release: releaseAll };
  }
}
