/**
 * @module Unused objects: a secret, key or certificate nobody read (or used for a cryptographic operation)
 * in `unusedDays` days. A credential no consumer needs is a standing way in that no one would miss: retire
 * it. Each object's last read is kept in the baseline beyond its window; a vault whose audit records do
 * not go back `unusedDays` days has nothing judged (its objects' use is unknown, not unused).
 */
import { DAY_MS } from "../../common/duration.js";
import { dayOf, type ObjectUse } from "../baseline.js";
import { isSuccess, objectKey, type AuditRecord, type ObjectRef } from "../record.js";
import type { Detector } from "./detector.js";
import { CRYPTO_OPERATIONS, OBJECT_READS } from "./operations.js";
import { CREATES } from "./routine.js";

const DELETES = new Set(["SecretDelete", "SecretPurge", "KeyDelete", "KeyPurge", "CertificateDelete", "CertificatePurge"]);

/** Whether a record's operation is a use of its object by a consumer. */
function isUse(operation: string): boolean {
  return OBJECT_READS.has(operation) || CRYPTO_OPERATIONS.has(operation);
}

/** A stand-in record for a finding about an absence (no record carries it). */
function absenceRecord(vault: string, object: ObjectRef | undefined, atMs: number): AuditRecord {
  return {
    timeMs: atMs,
    vault: { name: vault, resourceId: `VAULT:${vault.toUpperCase()}` },
    operation: "(unused)",
    status: 200,
    resultSignature: "",
    principal: {},
    ip: "",
    client: "",
    ...(object ? { object } : {}),
    correlationId: "",
    durationMs: 0,
  };
}

export const detector: Detector = {
  id: "persistence_unused_secret",
  name: "Unused secret, key or certificate",
  tactic: "persistence",
  severity: "low",
  description:
    "A secret, key or certificate seen in the audit records that no consumer read (or, for a key, used to sign, verify, wrap, unwrap, encrypt or decrypt) in the last `unusedDays` days, in a vault whose audit records cover all of those days.",
  rationale:
    "A credential nothing uses is still a credential: whoever holds a copy can use it, and nobody would notice it going. Objects are learned from the records that write, read or use them, and each one's last use by a consumer is kept in the baseline beyond its learning window (kvguard's own reads and Azure's scanners do not count as use; a deleted object leaves). An object is reported only when its vault's audit records go back at least `unusedDays` days: with a shorter history it is unknown whether it is used, and nothing is said. The finding is low, at the end of a scan, once per object and day.",
  falsePositives: [
    "Break-glass credentials kept for emergencies",
    "Secrets read only by a yearly job",
    "Objects read through a path the audit logs do not cover",
  ],
  references: ["issue 20: unused secrets", "CIS/MCSB: remove unused credentials"],
  thresholds: {
    unusedDays: { value: 90, description: "days without a read or use after which an object is reported unused (KVGUARD_AUDIT_UNUSED_DAYS)" },
  },
  usesBaseline: true,
  seesBenign: true,
  create: () => {
    /** vault → the day its coverage was last checked. */
    const covered = new Map<string, number>();
    /** Object ref (parsers share one per object) → its use and the day it was last noted, so a read costs one lookup a day. */
    const noted = new WeakMap<ObjectRef, { vault: string; day: number; use: ObjectUse }>();
    return {
      step(r, ctx) {
        const day = dayOf(r.timeMs);
        const vault = r.vault.name;
        if (covered.get(vault) !== day) {
          covered.set(vault, day);
          const since = ctx.baseline.coverage.get(vault);
          if (since === undefined || r.timeMs < since) ctx.baseline.coverage.set(vault, r.timeMs);
        }
        const o = r.object;
        if (!o || !isSuccess(r)) return;
        const op = r.operation;
        if (DELETES.has(op)) {
          ctx.baseline.objects.delete(objectKey(r)!);
          noted.delete(o);
          return;
        }
        const use = isUse(op) && !ctx.benign;
        if (!use && !CREATES.has(op)) return;
        // Once a day per object: its use looked up (and created) in the baseline.
        const entry = noted.get(o);
        if (use && entry?.vault === vault && entry.day === day) return;
        const key = objectKey(r)!;
        let known = ctx.baseline.objects.get(key);
        if (!known) ctx.baseline.objects.set(key, (known = { firstMs: r.timeMs }));
        if (r.timeMs < known.firstMs) known.firstMs = r.timeMs;
        if (!use) return;
        noted.set(o, { vault, day, use: known });
        if ((known.lastReadMs ?? -Infinity) < r.timeMs) known.lastReadMs = r.timeMs;
      },
      finish(ctx) {
        if (!ctx.warm) return;
        const days = ctx.thresholds.unusedDays!;
        const cutoff = ctx.endMs - days * DAY_MS;
        for (const [key, use] of ctx.baseline.objects) {
          const [vault, type, ...name] = key.split("/");
          const since = ctx.baseline.coverage.get(vault!);
          // Use is unknown before the vault's audit coverage began.
          if (since === undefined || since > cutoff) continue;
          const last = use.lastReadMs;
          if ((last ?? use.firstMs) > cutoff) continue;
          const idle = Math.floor((ctx.endMs - (last ?? since)) / DAY_MS);
          ctx.emit({
            record: absenceRecord(vault!, { type: type!, name: name.join("/") }, ctx.endMs),
            subject: key,
            windowMs: DAY_MS,
            object: key,
            summary: `${key} was not read or used by any consumer ${last === undefined ? `since audit coverage of vault ${vault} began (${idle} days ago)` : `in ${idle} days (last ${new Date(last).toISOString().slice(0, 10)})`}; it may be retired`,
            baseline: {
              lastReadAt: last === undefined ? null : new Date(last).toISOString(),
              coverageSince: new Date(since).toISOString(),
              unusedDays: days,
            },
          });
        }
      },
    };
  },
};
