/**
 * @module Detection row 5: a List followed within minutes by reads of many distinct objects, by a
 * principal that does not usually list that vault (the dump pattern behind Defender's KV_ListGetAnomaly).
 */
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { LISTS, OBJECT_READS, WINDOW } from "./operations.js";

interface Sequence {
  listedAt: number;
  objects: Set<string>;
  evidence: string[];
}

export const detector: Detector = {
  id: "credential_access_list_then_get",
  name: "List then get (vault dump)",
  tactic: "credential_access",
  severity: "medium",
  description:
    "A principal lists a vault's secrets, keys or certificates and then reads several distinct ones within minutes, without a history of listing that vault.",
  falsePositives: ["Tools that discover their secrets by listing (they are learned during warm-up)", "An operator browsing a vault in the portal"],
  references: ["detection.md row 5", "Defender KV_ListGetAnomaly", "ATRM AZT604"],
  thresholds: {
    distinctGets: { value: 5, description: "distinct objects read after the list" },
    withinMinutes: { value: 10, description: "minutes after the list the reads must follow" },
  },
  usesBaseline: true,
  handles: (operation) => LISTS.has(operation) || OBJECT_READS.has(operation),
  create: () => {
    const sequences = new Map<string, Sequence>();
    return {
      step(r, ctx) {
        if (ctx.benign || !isSuccess(r)) return;
        const isList = LISTS.has(r.operation);
        // Reads matter only while a list is open: most records stop here without building a key.
        if (!isList && (sequences.size === 0 || !OBJECT_READS.has(r.operation))) return;
        const key = `${r.vault.name}|${principalKey(r.principal)}`;
        if (isList) {
          const learnedKey = `list|${key}`;
          const usual = !ctx.baseline.see(learnedKey, r.timeMs - WINDOW.day, r.timeMs);
          const previous = sequences.get(key);
          if (previous && r.timeMs - previous.listedAt < ctx.thresholds.withinMinutes! * 60_000) return;
          // Only an unusual list can lead to a finding: usual ones are not followed, so reads stay cheap.
          if (usual) sequences.delete(key);
          else sequences.set(key, { listedAt: r.timeMs, objects: new Set(), evidence: r.correlationId ? [r.correlationId] : [] });
          return;
        }
        const seq = sequences.get(key);
        const object = objectKey(r);
        if (!seq || !object) return;
        if (r.timeMs - seq.listedAt > ctx.thresholds.withinMinutes! * 60_000) {
          sequences.delete(key);
          return;
        }
        seq.objects.add(object);
        if (seq.evidence.length < 20 && r.correlationId) seq.evidence.push(r.correlationId);
        if (!ctx.warm || seq.objects.size < ctx.thresholds.distinctGets!) return;
        ctx.emit({
          record: r,
          subject: key,
          windowMs: WINDOW.hour,
          evidence: seq.evidence,
          total: seq.objects.size + 1,
          summary: `${who(r)} listed vault ${r.vault.name} and then read ${seq.objects.size} distinct objects within ${Math.ceil((r.timeMs - seq.listedAt) / 60_000)} min`,
          baseline: { listedThisVaultBefore: false, windowDays: ctx.baseline.windowDays, distinctGetsThreshold: ctx.thresholds.distinctGets },
        });
      },
    };
  },
};
