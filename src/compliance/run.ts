/**
 * @module A compliance run: reads every vault's management-plane facts and its keys', secrets' and
 * certificates' properties, joins kvguard's rotation history and status and (when given) the audit logs, and judges every
 * check on every object. One vault, listing or object that fails becomes "error" results and an entry in
 * `errors`; the run goes on. It never reads a secret value.
 */
import { systemClock, type Clock } from "../common/clock.js";
import { parseDurationSeconds } from "../common/duration.js";
import type { ComplianceConfig } from "../config/complianceSettings.js";
import type { VaultTarget } from "../config/vaultUrl.js";
import type { AuditRecord } from "../audit/record.js";
import type { HistoryRow } from "../rotation/history.js";
import { resolvePolicy } from "../rotation/policy.js";
import { isPendingName } from "../rotation/pending.js";
import type { PolicyFileEntry } from "../rotation/policyFile.js";
import type { RotationStatus } from "../rotation/status.js";
import { consumerCounts } from "../rotation/revokeGate.js";
import { resolveKeyPolicy } from "../rotators/keyvault-key/index.js";
import type { Rotators } from "../rotators/rotators.js";
import type { ArmClients } from "./armClients.js";
import { catalogue, definitions, type Catalogue } from "./catalogue.js";
import type { AuditTrace, CheckContext, KvguardPolicy, ObjectCheck, ObjectFacts, Verdict } from "./check.js";
import { readDataPlane, type DataPlaneClients, type DataPlaneObject } from "./dataPlane.js";
import { errorMessage } from "./errors.js";
import { listSubscriptions, readVaultFacts, type SubscriptionVaults } from "./managementPlane.js";
import type { CheckResult, ComplianceRun, Framework, VaultFacts } from "./model.js";
import { unusedSection, type AuditUse } from "./unused.js";

export interface ComplianceDeps {
  vaults: VaultTarget[];
  settings: ComplianceConfig;
  /** Data-plane clients for a vault. */
  vaultClients(target: VaultTarget): DataPlaneClients;
  /** Management-plane clients for a subscription; absent: vault-level checks are errors. */
  armClients?: (subscriptionId: string) => ArmClients;
  /** kvguard's rotation history (newest first) and status. */
  history?: { list(filter?: { vault?: string }): Promise<HistoryRow[]> };
  status?: { list(vault?: string): Promise<RotationStatus[]> };
  /** The rotators a policy may name (the app's registry). */
  rotators: Rotators;
  /** The rotation policy file's entry for an object. */
  policyEntry?(vault: string, name: string, kind: "secret" | "key"): PolicyFileEntry | undefined;
  /** Audit records to find KeyRotate / SecretSet in; absent: the audit cross-check is "not read". */
  auditRecords?(): AsyncIterable<AuditRecord[]>;
  /** The audit scan's record of use for the unused-objects section, or why there is none; absent: no section. */
  auditUse?(): Promise<AuditUse | string>;
  /** Days without a read after which an object is listed unused (KVGUARD_AUDIT_UNUSED_DAYS). */
  unusedDays?: number;
  clock?: Clock;
}

export interface ComplianceOptions {
  /** Vault names (as in KVGUARD_VAULT_URLS); default all. */
  vaults?: string[];
  /** Only checks mapping to one of these; default all. */
  frameworks?: Framework[];
}

/** Operations that make a new version (or set a rotation schedule), the audit trail of a rotation. */
const ROTATION_OPERATIONS = new Set([
  "KeyCreate",
  "KeyImport",
  "KeyRotate",
  "KeyRotateIfDue",
  "KeyRotationPolicySet",
  "KeyRestore",
  "SecretSet",
  "SecretRestore",
]);

const objectKey = (vault: string, type: string, name: string) => `${vault}/${type}/${name}`.toLowerCase();

async function readAudit(deps: ComplianceDeps, errors: ComplianceRun["errors"]): Promise<Map<string, AuditTrace[]> | undefined> {
  if (!deps.auditRecords) return undefined;
  const traces = new Map<string, AuditTrace[]>();
  try {
    for await (const batch of deps.auditRecords()) {
      for (const r of batch) {
        if (!r.object || !ROTATION_OPERATIONS.has(r.operation) || r.status < 200 || r.status > 299) continue;
        const key = objectKey(r.vault.name, r.object.type === "keys" ? "key" : "secret", r.object.name);
        const list = traces.get(key) ?? [];
        list.push({
          operation: r.operation,
          time: new Date(r.timeMs).toISOString(),
          ...(r.object.version ? { version: r.object.version } : {}),
          ...(r.principal.oid ? { principal: r.principal.oid } : {}),
        });
        traces.set(key, list);
      }
    }
  } catch (error) {
    errors.push({ vault: "*", message: `reading audit records: ${errorMessage(error)}` });
    return undefined;
  }
  for (const list of traces.values()) list.sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  return traces;
}

function kvguardPolicy(deps: ComplianceDeps, vault: string, object: DataPlaneObject): KvguardPolicy {
  const { type, name, tags } = object.item;
  if (type === "certificate") return { kind: "none" };
  const entry = deps.policyEntry?.(vault, name, type === "key" ? "key" : "secret");
  if (type === "key") {
    const result = resolveKeyPolicy(deps.rotators, tags, entry);
    if (result.kind !== "policy") return result;
    return {
      kind: "policy",
      rotator: "keyvault-key",
      ...(result.policy.rotateEvery ? { rotateEverySeconds: parseDurationSeconds(result.policy.rotateEvery) } : {}),
    };
  }
  const result = resolvePolicy(deps.rotators, tags, entry);
  if (result.kind !== "policy") return result;
  return {
    kind: "policy",
    rotator: result.policy.rotator.name,
    ...(result.policy.rotateEverySeconds !== undefined ? { rotateEverySeconds: result.policy.rotateEverySeconds } : {}),
  };
}

/** Which checks an unreadable part of an object makes unjudgeable. */
const PROBLEM_CHECKS: Record<string, RegExp> = {
  "key parameters": /^key-(allowed-type|rsa-min-size|ec-curve|hsm-backed)$/,
  versions: /-rotated-within-cryptoperiod$/,
  "rotation policy": /^key-rotation-policy$/,
  "certificate policy": /^certificate-(max-validity|renewal-action|allowed-key-type|rsa-min-size|ec-curve|integrated-ca)$/,
  "certificate issuers": /^certificate-integrated-ca$/,
};

/**
 * One object check on one object, as a run judges it: undefined when it does not apply (another object kind,
 * or a deleted object for a check of live ones); an unreadable part or a disabled object decides before the check.
 */
export function judgeOne(check: ObjectCheck, facts: ObjectFacts, problems: readonly string[], ctx: CheckContext): Verdict | undefined {
  const { item } = facts;
  if (check.definition.scope !== item.type || Boolean(check.deleted) !== Boolean(item.deleted)) return undefined;
  const problem = problems.find((p) => PROBLEM_CHECKS[p.split(":")[0]!]?.test(check.definition.id));
  if (problem) return { outcome: "error", reason: `could not read its ${problem}`, evidence: {} };
  if (check.enabledOnly && !item.enabled)
    return { outcome: "not-applicable", reason: "disabled: only enabled objects are judged", evidence: { enabled: false } };
  return check.evaluate(facts, ctx);
}

function judgeObject(c: Catalogue, facts: ObjectFacts, problems: string[], ctx: CheckContext): CheckResult[] {
  const { item } = facts;
  const results: CheckResult[] = [];
  for (const check of c.objects) {
    const verdict = judgeOne(check, facts, problems, ctx);
    if (!verdict) continue;
    results.push({
      checkId: check.definition.id,
      vault: item.vault,
      objectId: item.id,
      objectName: item.name,
      objectType: item.type,
      outcome: verdict.outcome,
      reason: verdict.reason,
      evidence: verdict.evidence ?? {},
    });
  }
  return results;
}

function judgeVault(c: Catalogue, facts: VaultFacts, ctx: CheckContext): CheckResult[] {
  return c.vault.map((check) => {
    const base = {
      checkId: check.definition.id,
      vault: facts.name,
      objectId: facts.resourceId ?? facts.url,
      objectName: facts.name,
      objectType: "vault" as const,
    };
    const missing = check.needs.filter((n) => facts[n] === undefined);
    if (missing.length)
      return { ...base, outcome: "error", reason: facts.error ?? `the management plane did not say ${missing.join(", ")}`, evidence: { missing } };
    const verdict = check.evaluate(facts, ctx);
    return { ...base, outcome: verdict.outcome, reason: verdict.reason, evidence: verdict.evidence ?? {} };
  });
}

/**
 * Runs every check (or those of some frameworks) over every configured vault (or some).
 * @param deps - vaults, settings and the clients and stores to read
 * @param options - vault names and frameworks to limit the run to
 */
export async function runCompliance(deps: ComplianceDeps, options: ComplianceOptions = {}): Promise<ComplianceRun> {
  const nowMs = (deps.clock ?? systemClock).nowMs();
  const frameworks = options.frameworks ?? [];
  const c = catalogue(deps.settings, frameworks);
  const run: ComplianceRun = {
    generatedAt: new Date(nowMs).toISOString(),
    frameworks,
    vaults: [],
    checks: definitions(c),
    results: [],
    inventory: [],
    errors: [],
  };

  const wanted = options.vaults?.map((v) => v.toLowerCase());
  for (const name of wanted ?? []) {
    if (!deps.vaults.some((v) => v.name.toLowerCase() === name)) run.errors.push({ vault: name, message: `vault ${name} is not in KVGUARD_VAULT_URLS` });
  }
  const targets = deps.vaults.filter((v) => !wanted || wanted.includes(v.name.toLowerCase()));

  const armClients = deps.armClients?.bind(deps);
  const subscriptions: SubscriptionVaults[] = armClients ? await listSubscriptions(deps.settings.subscriptionIds, armClients) : [];
  const [history, statuses, audit] = await Promise.all([
    deps.history?.list().catch((error: unknown) => {
      run.errors.push({ vault: "*", message: `reading rotation history: ${errorMessage(error)}` });
      return [];
    }) ?? [],
    deps.status?.list().catch((error: unknown) => {
      run.errors.push({ vault: "*", message: `reading rotation status: ${errorMessage(error)}` });
      return [];
    }) ?? [],
    readAudit(deps, run.errors),
  ]);
  const finished = new Map<string, HistoryRow[]>();
  for (const row of history) {
    if (row.step !== "finish" || row.outcome !== "ok") continue;
    const key = `${row.vault}|${row.name}`.toLowerCase();
    finished.set(key, [...(finished.get(key) ?? []), row]);
  }

  for (const target of targets) {
    const facts: VaultFacts = deps.armClients
      ? await readVaultFacts(target, subscriptions, deps.settings.logRetentionDays)
      : { name: target.name, url: target.url, error: "no management-plane (ARM) client configured" };
    run.vaults.push(facts);
    if (facts.error) run.errors.push({ vault: target.name, message: `management plane: ${facts.error}` });
    const ctx: CheckContext = { nowMs, config: deps.settings, vault: facts };
    run.results.push(...judgeVault(c, facts, ctx));

    let read;
    try {
      read = await readDataPlane(target.name, deps.vaultClients(target));
    } catch (error) {
      read = {
        objects: [],
        failures: (["secret", "key", "certificate"] as const).map((listing) => ({ listing, what: `${listing}s`, message: errorMessage(error) })),
      };
    }
    for (const failure of read.failures) {
      run.errors.push({ vault: target.name, message: `listing ${failure.what}: ${failure.message}` });
      for (const check of c.objects.filter((o) => o.definition.scope === failure.listing && Boolean(o.deleted) === failure.what.startsWith("deleted"))) {
        run.results.push({
          checkId: check.definition.id,
          vault: target.name,
          objectId: target.url,
          objectName: `(${failure.what})`,
          objectType: failure.listing,
          outcome: "error",
          reason: `could not list the vault's ${failure.what}: ${failure.message}`,
          evidence: {},
        });
      }
    }
    for (const object of read.objects) {
      run.inventory.push(object.item);
      const { item } = object;
      // kvguard's pending companions are bookkeeping of its own rotations (their versions are disabled by design);
      // a certificate's backing key and secret are judged as the certificate.
      if ((item.type === "secret" && isPendingName(item.name)) || item.managed) continue;
      const objectFacts: ObjectFacts = {
        item,
        versionTimes: object.versionTimes,
        ...(object.newestVersion ? { newestVersion: object.newestVersion } : {}),
        ...(object.rotationPolicy ? { rotationPolicy: object.rotationPolicy } : {}),
        kvguardPolicy: kvguardPolicy(deps, target.name, object),
        rotations: finished.get(`${target.name}|${item.name}`.toLowerCase()) ?? [],
        ...(audit ? { audit: audit.get(objectKey(target.name, item.type, item.name)) ?? [] } : {}),
      };
      const status = statuses.find((s) => s.vault.toLowerCase() === target.name.toLowerCase() && s.name.toLowerCase() === item.name.toLowerCase());
      if (status) objectFacts.status = status;
      const counts = status && consumerCounts(status);
      if (counts && counts.source !== "none") {
        const { consumers, onOldVersion, at, source } = counts;
        item.consumers = { at, source, ...(consumers !== undefined ? { consumers } : {}), ...(onOldVersion !== undefined ? { onOldVersion } : {}) };
      }
      run.results.push(...judgeObject(c, objectFacts, object.problems, ctx));
    }
  }
  if (deps.auditUse) {
    const use = await deps.auditUse().catch((error: unknown) => `the audit scan's baseline could not be read: ${errorMessage(error)}`);
    run.unused = unusedSection(
      run.vaults.map((v) => v.name),
      run.inventory,
      deps.unusedDays ?? 90,
      use,
    );
  }
  return run;
}
