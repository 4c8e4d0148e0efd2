/**
 * @module The status page from what a running kvguard has: the rotation service (vaults, status, history,
 * policies, clock) and the app's storage (the findings table, the report container's snapshots of the
 * scheduled report's scope).
 */
import { FINDINGS_TABLE } from "../audit/fromSettings.js";
import { TableFindingStore } from "../audit/store/findingStore.js";
import { credentialFor } from "../azure/credential.js";
import { scopeKey } from "../compliance/report/snapshots.js";
import { BlobStore } from "../compliance/report/store.js";
import { planSourcesOf } from "../plan/fromService.js";
import type { RotationService } from "../rotation/service.js";
import { storageClients } from "../state/storage.js";
import { buildStatusPage, type StatusPage } from "./model.js";

export async function statusPageOf(service: RotationService, env: Readonly<Record<string, string | undefined>>): Promise<StatusPage> {
  const { config } = service;
  const storage = storageClients(env, credentialFor(config.identity));
  return buildStatusPage({
    plan: await planSourcesOf(service),
    status: service.status,
    history: service.history,
    findings: new TableFindingStore(storage.table(FINDINGS_TABLE)),
    reports: { store: new BlobStore(storage.blob.getContainerClient(config.report.container)), scope: scopeKey(config.report.frameworks, []) },
  });
}
