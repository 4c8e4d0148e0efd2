/**
 * @module One lock per secret across instances: a lease on blob `kvguard-locks/<vault>/<name>`, renewed while
 * the rotation runs. A crashed holder's lease lapses after LEASE_SECONDS, so a rerun can take over.
 */
import type { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import { statusOf } from "../common/errors.js";

const CONTAINER = "kvguard-locks";
export const LEASE_SECONDS = 15;
const RENEW_MS = 5_000;
const POLL_MS = 500;

export class LockBusyError extends Error {
  constructor(readonly key: string) {
    super(`another kvguard run holds the rotation lock of ${key}; it will be retried`);
    this.name = "LockBusyError";
  }
}

export interface HeldLock {
  release(): Promise<void>;
}

export class BlobLocks {
  #container: ContainerClient;
  #ready?: Promise<unknown>;

  constructor(blob: BlobServiceClient) {
    this.#container = blob.getContainerClient(CONTAINER);
  }

  /** Takes the lock, waiting up to `waitMs` for another holder to finish; throws LockBusyError after that. */
  async acquire(vault: string, name: string, waitMs: number): Promise<HeldLock> {
    this.#ready ??= this.#container.createIfNotExists();
    await this.#ready;
    const key = `${vault}/${name}`.toLowerCase();
    const blob = this.#container.getBlockBlobClient(key);
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        const lease = blob.getBlobLeaseClient();
        await lease.acquireLease(LEASE_SECONDS);
        const renewal = setInterval(() => void lease.renewLease().catch(() => undefined), RENEW_MS);
        renewal.unref();
        return {
          async release() {
            clearInterval(renewal);
            await lease.releaseLease().catch(() => undefined);
          },
        };
      } catch (error) {
        const status = statusOf(error);
        if (status === 404) {
          await blob.upload("", 0).catch((e: unknown) => {
            if (statusOf(e) !== 412) throw e;
          });
          continue;
        }
        if (status !== 409 || Date.now() >= deadline) throw status === 409 ? new LockBusyError(key) : error;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }
  }
}
