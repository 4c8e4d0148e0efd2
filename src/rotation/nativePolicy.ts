/**
 * @module A key's or certificate's policy: the same fields as a secret's (policy.ts `policyFields`: tags over
 * the policy-file entry, locks), checked by the native rotator the `kvguard-rotator` names, or the kind's
 * default rotator when nothing names one (certificates: kvguard renews what Key Vault will not).
 */
import { oneLine } from "../common/logText.js";
import type { NativeKind, NativeRotator } from "../rotators/native.js";
import type { Rotators } from "../rotators/rotators.js";
import { policyFields, TAGS } from "./policy.js";
import type { PolicyFileEntry } from "./policyFile.js";

export type NativePolicyResult = { kind: "none" } | { kind: "policy"; rotator: NativeRotator; policy: unknown } | { kind: "invalid"; problems: string[] };

export function resolveNativePolicy(
  rotators: Rotators,
  kind: NativeKind,
  tags: Record<string, string> | undefined,
  entry?: PolicyFileEntry,
): NativePolicyResult {
  if (entry?.invalid) return { kind: "invalid", problems: [entry.invalid] };
  const fields = policyFields(tags, entry);
  const candidates = rotators.native(kind);
  const rotator = fields.rotator === undefined ? candidates.find((r) => r.byDefault) : candidates.find((r) => r.name === fields.rotator);
  if (fields.rotator === undefined && !rotator) return fields.problems.length ? { kind: "invalid", problems: fields.problems } : { kind: "none" };
  if (!rotator) {
    const names = candidates.map((r) => `"${r.name}"`).join(" or ");
    return { kind: "invalid", problems: [...fields.problems, `${TAGS.rotator}: ${kind}s rotate with ${names}, not "${oneLine(fields.rotator ?? "")}"`] };
  }
  if (fields.problems.length) return { kind: "invalid", problems: fields.problems };
  try {
    return { kind: "policy", rotator, policy: rotator.parsePolicy(fields) };
  } catch (error) {
    // Problems quote tag values: one escaped line each, wherever they are printed or stored.
    return { kind: "invalid", problems: [oneLine((error as Error).message)] };
  }
}
