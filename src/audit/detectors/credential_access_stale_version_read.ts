/**
 * @module Stale version reads: a consumer still reading a secret version that a newer one (a kvguard
 * rotation or any SecretSet) replaced hours ago (an app that did not pick up a rotation, or someone using
 * an old copy), or signing with a key version retired hours ago. Decrypting, unwrapping or verifying with an
 * older key version is how envelope encryption works after a key rotation, and is not reported. Versions
 * are learned from every successful set, benign ones included.
 */
import { principalKey, type AuditRecord } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW } from "./operations.js";

const CREATES = new Set(["SecretSet", "SecretRestore", "KeyCreate", "KeyImport", "KeyRotate", "KeyRestore"]);
/** Secret reads, and signing: a new signature under a retired key is what a stolen old key would make. */
const READS = new Set(["SecretGet", "KeySign"]);

// Object refs are shared between records of the same id (the parser caches them): name each once.
const names = new WeakMap<object, string>();

function name(r: AuditRecord): string {
  let text = names.get(r.object!);
  if (text === undefined) names.set(r.object!, (text = `${r.vault.name}/${r.object!.type}/${r.object!.name}`));
  return text;
}

export const detector: Detector = {
  id: "credential_access_stale_version_read",
  name: "Stale version read",
  tactic: "credential_access",
  severity: "low",
  description: "A successful read of a secret version, or a signature with a key version, that a newer version superseded more than the threshold ago.",
  rationale:
    "A secret version is a credential: reading one that a rotation replaced days ago means a consumer missed the rotation or someone kept a copy. A key version is not: data encrypted or wrapped before a key rotation is decrypted or unwrapped with the version that encrypted it for as long as the data lives, and signatures made earlier are verified with it, so those operations are never stale. Signing is different: new signatures under a retired version are what a stolen copy of the old key would produce.",
  falsePositives: ["Apps that pin a version on purpose during a staged rollout", "Reads of old versions by auditors"],
  references: ["kvguard: rotations the consumers did not pick up"],
  thresholds: { staleHours: { value: 24, description: "hours since a newer version was created" } },
  usesBaseline: false,
  seesBenign: true,
  handles: (operation) => CREATES.has(operation) || READS.has(operation),
  create: () => ({
    step(r, ctx) {
      if (r.status < 200 || r.status > 299 || !r.object?.version) return;
      if (CREATES.has(r.operation)) {
        ctx.baseline.addVersion(name(r), r.object.version, r.timeMs);
        return;
      }
      if (ctx.benign || !READS.has(r.operation)) return;
      const versions = ctx.baseline.versions.get(name(r));
      // Most reads are of the current version.
      if (!versions || versions.length === 0 || versions[versions.length - 1]!.v === r.object.version) return;
      const index = versions.findIndex((e) => e.v === r.object!.version);
      if (index === versions.length - 1) return;
      // Not in the list: older than every version seen set, so superseded at the latest by the oldest known.
      const successor = versions[index + 1] ?? versions[0]!;
      const latest = versions[versions.length - 1]!;
      const ageMs = r.timeMs - successor.at;
      if (ageMs < ctx.thresholds.staleHours! * WINDOW.hour) return;
      ctx.emit({
        record: r,
        subject: `${name(r)}|${r.object.version}|${principalKey(r.principal)}`,
        windowMs: WINDOW.day,
        object: name(r),
        summary: `${who(r)} ${r.operation === "KeySign" ? "signed with" : "read"} version ${r.object.version} of ${name(r)}, superseded ${Math.round(ageMs / WINDOW.hour)} h ago (current: ${latest.v}); consumers usually move to a new version within ${ctx.thresholds.staleHours} h`,
        baseline: { currentVersion: latest.v, supersededAt: new Date(successor.at).toISOString(), staleHours: ctx.thresholds.staleHours },
      });
    },
  }),
};
