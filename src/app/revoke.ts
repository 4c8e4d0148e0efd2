/**
 * @module The revoke gate from the config: the consumer-reads port over the configured audit sources (the same
 * ones `kvguard consumers` reads), with kvguard's own reads left out, and its alerts routed to the notifier.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { Alert } from "../alerts/alert.js";
import { alertsFromRevokeGate } from "../alerts/fromRevoke.js";
import { devClaims } from "../azure/devCredential.js";
import type { Clock } from "../common/clock.js";
import { hasAuditSource } from "../config/auditSettings.js";
import type { KvguardConfig } from "../config/schema.js";
import { RevokeGate, type ConsumerReads } from "../rotation/revokeGate.js";
import type { StorageClients } from "../state/storage.js";
import { lazy } from "./lazy.js";

/** kvguard's own object and app ids (lower case): the rotation reads the secret too, and is no consumer. */
function selfIds(config: KvguardConfig): Set<string> {
  const ids = [...config.audit.selfIds];
  if (config.identity.kind === "dev") {
    const claims = devClaims({ name: config.identity.name });
    ids.push(...[claims.oid, claims.appid].filter((id): id is string => id !== undefined));
  } else if (config.identity.managedIdentityClientId) ids.push(config.identity.managedIdentityClientId);
  return new Set(ids.map((id) => id.toLowerCase()));
}

export function createRevokeGate(
  config: KvguardConfig,
  wiring: { credential: TokenCredential; storage: () => Promise<StorageClients>; clock: Clock; alert?: (alerts: readonly Alert[]) => Promise<unknown> },
): RevokeGate {
  const self = selfIds(config);
  // The audit code (sources, parser, SDK) loads at the first revoke that reads the log, not with every rotation.
  const sources = lazy(async () => (await import("./audit.js")).auditSources(config, wiring));
  const reads: ConsumerReads | undefined = hasAuditSource(config.audit)
    ? {
        async read(target, window) {
          const [{ readConsumers }, { principalLabel }, { formatProblem }] = await Promise.all([
            import("../audit/consumers.js"),
            import("../audit/record.js"),
            import("../audit/sources/report.js"),
          ]);
          const report = await readConsumers(await sources(), target, window);
          // A source that answered in part, or could not be read at all (line 0), could hide a consumer still on the old credential.
          const unread = [...report.ingest.partial, ...report.ingest.problems.filter((p) => p.line === 0).map(formatProblem)];
          if (unread.length > 0) throw new Error(`the audit log could not be read in full: ${unread.join("; ")}`);
          return report.consumers
            .filter((c) => !(c.principal.oid && self.has(c.principal.oid.toLowerCase())) && !(c.principal.appid && self.has(c.principal.appid.toLowerCase())))
            .map((c) => ({ key: c.key, label: principalLabel(c.principal), firstReadMs: Date.parse(c.firstRead), versions: Object.keys(c.versions) }));
        },
      }
    : undefined;
  const { alert } = wiring;
  return new RevokeGate({
    settings: config.revoke,
    ...(reads ? { reads } : {}),
    ...(alert ? { notify: async (event) => void (await alert(alertsFromRevokeGate(event, new Date(wiring.clock.nowMs()).toISOString()))) } : {}),
  });
}
