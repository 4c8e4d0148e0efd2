/**
 * @module `keyvault-key`: Key Vault keys rotate natively. kvguard makes sure each managed key carries the
 * native rotation policy its kvguard policy asks for (rotate every N, expire after M, notify before expiry),
 * and calls `rotateKey` itself when a key is overdue (a missing or lagging native rotation), on Key Vault's
 * near-expiry warning, or on demand.
 */
import type { KeyProperties, KeyRotationLifetimeAction, KeyRotationPolicyProperties } from "@azure/keyvault-keys";
import { parseDurationSeconds } from "../../common/duration.js";
import { statusOf } from "../../common/errors.js";
import type { PolicyFileEntry } from "../../rotation/policyFile.js";
import { resolveNativePolicy } from "../../rotation/nativePolicy.js";
import type { NativeObject, NativePolicyFields, NativeRotator } from "../native.js";
import type { Rotators } from "../rotators.js";

export const KEY_ROTATOR = "keyvault-key";
export const KEY_TAGS = { notifyBeforeExpiry: "kvguard-notify-before-expiry" } as const;

export interface KeyPolicy {
  /** ISO-8601, as Key Vault's policy takes it. */
  rotateEvery?: string;
  expiresIn?: string;
  notifyBeforeExpiry?: string;
}

export type KeyPolicyResult = { kind: "none" } | { kind: "policy"; policy: KeyPolicy } | { kind: "invalid"; problems: string[] };

const DAY = 86_400;

function duration(problems: string[], tag: string, text: string | undefined, minSeconds: number, rule: string): string | undefined {
  if (text === undefined) return undefined;
  try {
    const seconds = parseDurationSeconds(text);
    if (seconds < minSeconds) problems.push(`${tag}: ${text} is shorter than ${rule}`);
    return text.startsWith("P") ? text : `PT${seconds}S`;
  } catch (error) {
    problems.push(`${tag}: ${(error as Error).message}`);
    return undefined;
  }
}

function parsePolicy(fields: NativePolicyFields): KeyPolicy {
  const problems: string[] = [];
  // Key Vault's own limits: rotate at least 7 days after creation, expire no sooner than 28 days.
  const rotateEvery = duration(problems, "kvguard-rotate-every", fields.rotateEvery, 7 * DAY, "Key Vault's 7-day minimum");
  const validity = fields.validityPeriodDays;
  const expiresIn = duration(problems, "ValidityPeriodDays", validity === undefined ? undefined : `P${validity}D`, 28 * DAY, "Key Vault's 28-day minimum");
  const notifyBeforeExpiry = duration(problems, KEY_TAGS.notifyBeforeExpiry, fields.tags[KEY_TAGS.notifyBeforeExpiry], 7 * DAY, "Key Vault's 7-day minimum");
  if (notifyBeforeExpiry && !expiresIn) problems.push(`${KEY_TAGS.notifyBeforeExpiry}: a notification before expiry needs ValidityPeriodDays`);
  if (!rotateEvery && !expiresIn) problems.push(`kvguard-rotate-every: a key policy needs a rotation period or a validity`);
  if (problems.length) throw new Error(problems.join("; "));
  return { ...(rotateEvery ? { rotateEvery } : {}), ...(expiresIn ? { expiresIn } : {}), ...(notifyBeforeExpiry ? { notifyBeforeExpiry } : {}) };
}

/** A key's policy as the engine, the plan and the compliance run read it (the native resolver, keys' part). */
export function resolveKeyPolicy(rotators: Rotators, tags: Record<string, string> | undefined, entry?: PolicyFileEntry): KeyPolicyResult {
  const resolved = resolveNativePolicy(rotators, "key", tags, entry);
  return resolved.kind === "policy" ? { kind: "policy", policy: resolved.policy as KeyPolicy } : resolved;
}

function desiredActions(policy: KeyPolicy): KeyRotationLifetimeAction[] {
  return [
    ...(policy.rotateEvery ? [{ action: "Rotate" as const, timeAfterCreate: policy.rotateEvery }] : []),
    ...(policy.notifyBeforeExpiry ? [{ action: "Notify" as const, timeBeforeExpiry: policy.notifyBeforeExpiry }] : []),
  ];
}

function sameActions(a: KeyRotationLifetimeAction[], b: KeyRotationLifetimeAction[]): boolean {
  const key = (x: KeyRotationLifetimeAction) => `${x.action.toLowerCase()}|${x.timeAfterCreate ?? ""}|${x.timeBeforeExpiry ?? ""}`;
  return a.map(key).sort().join() === b.map(key).sort().join();
}

function objectOf(p: KeyProperties): NativeObject {
  return {
    name: p.name,
    version: p.version!,
    tags: p.tags ?? {},
    ...(p.createdOn ? { createdOn: p.createdOn } : {}),
    ...(p.notBefore ? { notBefore: p.notBefore } : {}),
    ...(p.expiresOn ? { expiresOn: p.expiresOn } : {}),
    ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
    ...(p.managed ? { managed: true } : {}),
  };
}

export const keyVaultKeyRotator: NativeRotator<KeyPolicy> = {
  name: KEY_ROTATOR,
  kind: "key",
  verb: "rotated the key",
  parsePolicy,
  async *list(vault) {
    for await (const p of vault.keys.listPropertiesOfKeys()) yield objectOf(p);
  },
  async read({ vault, name }) {
    try {
      return objectOf((await vault.keys.getKey(name)).properties);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  },
  due(policy, object, nowMs) {
    if (policy.rotateEvery === undefined) return { due: false, reason: "Key Vault rotates it; no rotation period for kvguard to enforce" };
    const atMs = (object.createdOn?.getTime() ?? nowMs) + parseDurationSeconds(policy.rotateEvery) * 1000;
    return atMs <= nowMs ? { due: true, reason: "overdue: Key Vault's own rotation did not happen" } : { due: false, reason: "not due", nextDueAtMs: atMs };
  },
  async reconcile({ vault, name }, policy) {
    const native = await vault.keys.getKeyRotationPolicy(name);
    const desired: KeyRotationPolicyProperties = { lifetimeActions: desiredActions(policy), ...(policy.expiresIn ? { expiresIn: policy.expiresIn } : {}) };
    if (sameActions(native.lifetimeActions ?? [], desired.lifetimeActions ?? []) && native.expiresIn === desired.expiresIn) return undefined;
    await vault.keys.updateKeyRotationPolicy(name, desired);
    return "set the key's native rotation policy to the kvguard policy";
  },
  // rotateKey answers with the new version: nothing stays in flight.
  inFlight: () => Promise.resolve(false),
  async start({ vault, name }) {
    const rotated = await vault.keys.rotateKey(name);
    return `asked Key Vault to rotate the key: version ${rotated.properties.version!}`;
  },
  async confirm(ctx) {
    const object = await keyVaultKeyRotator.read(ctx);
    if (!object) throw new Error(`key ${ctx.name} disappeared during its rotation`);
    return object;
  },
};
