/**
 * @module A compliance run's dependencies from kvguard's config: the vaults' data-plane clients, ARM clients
 * per subscription, rotation history and status from the state storage account, the rotation policy file, and
 * the audit records of the last cryptoperiod from the audit folder or storage archive when one is configured,
 * and the audit scan's record of use for the unused objects.
 */
import type { TokenCredential } from "@azure/core-auth";
import { BlobServiceClient } from "@azure/storage-blob";
import { IngestReport } from "../audit/sources/report.js";
import { readRecordFiles } from "../audit/sources/files.js";
import { readStorageArchive } from "../audit/sources/storageArchive.js";
import { armClientOptions } from "../azure/cloudClients.js";
import { createVaultClients } from "../azure/keyVaultClients.js";
import type { Clock } from "../common/clock.js";
import { DAY_MS } from "../common/duration.js";
import { statusOf } from "../common/errors.js";
import type { KvguardConfig } from "../config/schema.js";
import { History, HISTORY_TABLE } from "../rotation/history.js";
import { loadPolicyFile, matchEntry } from "../rotation/policyFile.js";
import { STATUS_TABLE, StatusStore } from "../rotation/status.js";
import type { Rotators } from "../rotators/rotators.js";
import type { StorageClients } from "../state/storage.js";
import { createArmClients } from "../compliance/armClients.js";
import type { ComplianceDeps } from "../compliance/run.js";
import { auditUseReader } from "./auditUse.js";

export interface ComplianceWiring {
  credential: TokenCredential;
  /** The state storage account, when the settings name one (history, status, the policy file). */
  storage?: StorageClients;
  clock: Clock;
  /** The rotators a policy may name (the app's registry). */
  rotators: Rotators;
}

/** A table that does not exist yet (kvguard never rotated here) reads as empty. */
function emptyWhenMissing<T>(list: () => Promise<T[]>): () => Promise<T[]> {
  return async () => {
    try {
      return await list();
    } catch (error) {
      if (statusOf(error) === 404) return [];
      throw error;
    }
  };
}

export async function complianceDeps(config: KvguardConfig, wiring: ComplianceWiring): Promise<ComplianceDeps> {
  const { credential, storage, clock } = wiring;
  const arm = armClientOptions(config.cloud, config.local?.caPem);
  const history = storage ? new History(storage.table(HISTORY_TABLE)) : undefined;
  const status = storage ? new StatusStore(storage.table(STATUS_TABLE)) : undefined;
  const policyFile = config.rotation.policyFile
    ? await loadPolicyFile(config.rotation.policyFile, async (container, name) => {
        if (!storage) throw new Error("the policy file is in blob storage, but no state storage is configured");
        return (await storage.blob.getContainerClient(container).getBlobClient(name).downloadToBuffer()).toString("utf8");
      })
    : undefined;
  const sinceMs = clock.nowMs() - config.compliance.cryptoperiodDays * DAY_MS;
  const { folder, archive } = config.audit;
  const auditRecords = folder
    ? () => readRecordFiles([folder], new IngestReport())
    : archive
      ? () => {
          const service = archive.account === "AzureWebJobsStorage" && storage ? storage.blob : new BlobServiceClient(archive.account, credential);
          return readStorageArchive(service.getContainerClient(archive.container), { sinceMs, nowMs: clock.nowMs(), report: new IngestReport() }).records;
        }
      : undefined;
  return {
    vaults: config.vaults,
    settings: config.compliance,
    clock,
    rotators: wiring.rotators,
    vaultClients: (target) => {
      const connection = { vaultUrl: target.url, credential, ...(config.local ? { ca: config.local.caPem } : {}) };
      return createVaultClients(connection);
    },
    armClients: (subscriptionId: string) => createArmClients(credential, subscriptionId, arm),
    ...(history ? { history: { list: emptyWhenMissing(() => history.list()) } } : {}),
    ...(status ? { status: { list: emptyWhenMissing(() => status.list()) } } : {}),
    ...(policyFile ? { policyEntry: (vault, name, kind) => matchEntry(kind === "key" ? policyFile.keys : policyFile.secrets, vault, name) } : {}),
    ...(auditRecords ? { auditRecords } : {}),
    auditUse: auditUseReader(config, storage),
    unusedDays: config.audit.thresholds.persistence_unused_secret?.unusedDays ?? 90,
  };
}
