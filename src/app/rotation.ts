/**
 * @module The rotation service's parts built from the config: one SDK client pair per vault, the job queue
 * and its poison queue, the history, status and event tables, the policy file, blob locks and the value HMAC.
 */
import type { TokenCredential } from "@azure/core-auth";
import { credentialFor } from "../azure/credential.js";
import { createVaultClients } from "../azure/keyVaultClients.js";
import { systemClock, type Clock } from "../common/clock.js";
import { printLine } from "../common/logText.js";
import type { Alert } from "../alerts/alert.js";
import { alertFromNotice } from "../alerts/fromNotice.js";
import { NOTICES_TABLE, NoticeLedger } from "../notices/ledger.js";
import { ExpiryNotices } from "../notices/sweep.js";
import type { KvguardConfig } from "../config/schema.js";
import type { EngineDeps, EngineVault } from "../rotation/engine.js";
import { History, HISTORY_TABLE } from "../rotation/history.js";
import { ValueHmac } from "../rotation/hmac.js";
import { BlobLocks } from "../rotation/lock.js";
import { ManagerLocks } from "../rotation/managerRotation.js";
import { PolicySource } from "../rotation/policySource.js";
import { RotationService } from "../rotation/service.js";
import { createRotators } from "../rotators/registry.js";
import type { Rotators } from "../rotators/rotators.js";
import type { RotatorRuntime } from "../rotators/types.js";
import { appRefresher } from "../rotation/refreshApps.js";
import { noTelemetry, type Telemetry } from "../telemetry/port.js";
import { STATUS_TABLE, StatusStore } from "../rotation/status.js";
import { TARGETS_TABLE, TargetLedger } from "../rotation/targetLedger.js";
import { ensureTable, storageClients, type StorageClients } from "../state/storage.js";
import type { AppServiceArm } from "../azure/appServiceArm.js";
import { lazy } from "./lazy.js";

export const EVENTS_TABLE = "kvguardevents";

export interface RotationWiring {
  /** Where `AzureWebJobsStorage` is read when `storage` is not given (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  credential?: TokenCredential;
  /** What rotators reaching past the vault get (default: the credential, the config's cloud and local CA). */
  runtime?: RotatorRuntime;
  /** The rotators policies may name (default: the registry's). */
  rotators?: Rotators;
  storage?: StorageClients;
  clock?: Clock;
  log?: (line: string) => void;
  afterStep?: EngineDeps["afterStep"];
  /** How long a job waits for another run's lock (default 30 s). */
  lockWaitMs?: number;
  /** Called after each job (the app hands its outcome to alerting). */
  onOutcome?: EngineDeps["onOutcome"];
  /** When previous credentials are revoked (the audit-aware gate; default: at the end of their grace). */
  revokeGate?: EngineDeps["revokeGate"];
  /** App Service's management plane for the refresh after a rotation (default: built on first use from the runtime). */
  appService?: () => Promise<AppServiceArm>;
  /** Alerts of the rotation service itself (a policy file kvguard cannot use, an app not refreshed). */
  alert?: (alerts: readonly Alert[]) => Promise<unknown>;
  /** Metrics and spans of sweeps, events and jobs (default: none). */
  telemetry?: Telemetry;
}

export async function createRotationService(config: KvguardConfig, wiring: RotationWiring = {}): Promise<RotationService> {
  const credential = wiring.credential ?? (await credentialFor(config.identity));
  const storage = wiring.storage ?? storageClients(wiring.env ?? process.env, credential);
  const vaults = new Map<string, EngineVault>();
  for (const target of config.vaults) {
    const clients = createVaultClients({ vaultUrl: target.url, credential, ...(config.local ? { ca: config.local.caPem } : {}) });
    vaults.set(target.name.toLowerCase(), { target, secrets: clients.secrets, keys: clients.keys, certificates: clients.certificates });
  }
  const queue = storage.queue.getQueueClient(config.rotation.queue);
  const poison = storage.queue.getQueueClient(`${config.rotation.queue}-poison`);
  const [history, status, events, targets, notices] = await Promise.all(
    [HISTORY_TABLE, STATUS_TABLE, EVENTS_TABLE, TARGETS_TABLE, NOTICES_TABLE].map((name) => ensureTable(storage.table(name))),
  );
  await Promise.all([queue.createIfNotExists(), poison.createIfNotExists()]);
  const log = wiring.log ?? printLine;
  const policy = new PolicySource(
    config.rotation.policyFile,
    async (container, name) => (await storage.blob.getContainerClient(container).getBlobClient(name).downloadToBuffer()).toString("utf8"),
    log,
    wiring.alert,
  );
  const locks = new BlobLocks(storage.blob);
  // The engine's locks also order a managing credential's rotation around its consumers' (managerRotation.ts).
  const rotationLocks = new ManagerLocks(storage.blob, { policyFile: () => policy.current(), secrets: (vault) => vaults.get(vault.toLowerCase())?.secrets });
  const runtime: RotatorRuntime = wiring.runtime ?? {
    credential,
    cloud: config.cloud,
    ...(config.local ? { ca: config.local.caPem } : {}),
    ...(config.rotation.entraTenantId ? { entraTenantId: config.rotation.entraTenantId } : {}),
    stateTable: (name) => ensureTable(storage.table(name)),
  };
  const rotators = wiring.rotators ?? createRotators();
  const historyStore = new History(history!);
  const clock = wiring.clock ?? systemClock;
  // Loaded and built on the first refresh only: most rotations have no App Service consumer declared.
  const appService =
    wiring.appService ?? lazy(async () => (await import("../azure/appServiceArm.js")).createAppServiceArm(runtime.credential, runtime.cloud, runtime.ca));
  return new RotationService({
    config,
    vaults,
    queue,
    poison,
    history: historyStore,
    status: new StatusStore(status!),
    events: events!,
    policy,
    clock,
    log,
    telemetry: wiring.telemetry ?? noTelemetry,
    notices: new ExpiryNotices({
      ledger: new NoticeLedger(notices!),
      clock,
      stageDays: config.notices.stageDays,
      limits: { minRotationSeconds: config.rotation.minRotationSeconds },
      rotators,
      hmacSecretName: config.rotation.hmacSecretName,
      certificates: (vault) => vault.certificates,
      announce: async (list) => {
        const alerts = list.map(alertFromNotice);
        for (const alert of alerts) log(`expiry notice: ${alert.title}`);
        await wiring.alert?.(alerts);
      },
    }),
    engine: {
      runtime,
      rotators,
      targets: new TargetLedger(targets!),
      locks: rotationLocks,
      hmac: new ValueHmac(config.rotation.hmacSecretName, locks),
      lockWaitMs: wiring.lockWaitMs ?? 30_000,
      ...(wiring.afterStep ? { afterStep: wiring.afterStep } : {}),
      ...(wiring.onOutcome ? { onOutcome: wiring.onOutcome } : {}),
      ...(wiring.revokeGate ? { revokeGate: wiring.revokeGate } : {}),
      afterFinish: appRefresher({
        arm: appService,
        policyFile: () => policy.current(),
        history: historyStore,
        clock,
        log,
        ...(wiring.alert ? { alert: wiring.alert } : {}),
      }),
    },
  });
}
