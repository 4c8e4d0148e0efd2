/**
 * @module The status page from what a running kvguard has: the app's rotation service (vaults, status,
 * history, policies, clock) and its storage (the findings table, the report container's snapshots of the
 * scheduled report's scope).
 */
import type { App } from "../app/index.js";
import { FINDINGS_TABLE, TableFindingStore } from "../audit/store/findingStore.js";
import { scopeKey } from "../compliance/report/snapshots.js";
import { BlobStore } from "../compliance/report/store.js";
import { noVaultNote } from "../discovery/discover.js";
import { planSourcesOf } from "../plan/fromService.js";
import { FIXED_GRACE_NOTE } from "../rotation/revokeGate.js";
import { buildStatusPage, type StatusPage } from "./model.js";

export async function statusPageOf(app: App): Promise<StatusPage> {
  const [service, storage, { discovery }] = await Promise.all([app.rotation(), app.storage(), app.guarded()]);
  const { config } = service;
  const plan = await planSourcesOf(service);
  // What discovery could not read, and a page of no vault, say so rather than show an empty page.
  const discoveryNotes = [...(discovery?.problems.map((p) => `vault discovery: ${p}`) ?? []), ...(service.vaults.size === 0 ? [noVaultNote(config)] : [])];
  return buildStatusPage({
    plan,
    certificates: (name) => {
      const vault = service.vaults.get(name.toLowerCase());
      return vault && plan.certificates ? plan.certificates(vault) : undefined;
    },
    status: service.status,
    history: service.history,
    findings: new TableFindingStore(storage.table(FINDINGS_TABLE)),
    notes: [...discoveryNotes, ...(service.engine.deps.revokeGate?.auditAware ? [] : [FIXED_GRACE_NOTE])],
    reports: { store: new BlobStore(storage.blob.getContainerClient(config.report.container)), scope: scopeKey(config.report.frameworks, []) },
  });
}
