/**
 * @module A secret's rotation policy, from its tags (Microsoft's `CredentialId`, `ProviderAddress`,
 * `ValidityPeriodDays` and kvguard's `kvguard-*`) over an optional policy-file entry. A secret with neither
 * has no policy and is left alone. A policy that does not parse is an error for that secret alone.
 * The operator's policy file can `lock` fields (a tag that would change one is an error), and the settings
 * set floors no tag goes below (the minimum rotation period).
 */
import { parseDurationSeconds } from "../common/duration.js";
import type { Rotators } from "../rotators/rotators.js";
import type { SecretRotator } from "../rotators/types.js";
import type { PolicyFileEntry } from "./policyFile.js";
import { parseWindow, type RotationWindow } from "./window.js";

export const TAGS = {
  credentialId: "CredentialId",
  providerAddress: "ProviderAddress",
  validityPeriodDays: "ValidityPeriodDays",
  rotator: "kvguard-rotator",
  rotateEvery: "kvguard-rotate-every",
  rotateBeforeExpiryDays: "kvguard-rotate-before-expiry-days",
  gracePeriod: "kvguard-grace-period",
  window: "kvguard-window",
  options: "kvguard-options",
} as const;

/** Tags kvguard writes on each version it makes (never a secret). */
export const METADATA_TAGS = {
  rotationId: "kvguard-rotation-id",
  rotatedAt: "kvguard-rotated-at",
  previousVersion: "kvguard-previous-version",
} as const;

export const DEFAULTS = {
  validityDays: 90,
  /** Key Vault's NearExpiry lead: without a schedule, kvguard rotates when Key Vault warns. */
  rotateBeforeExpiryDays: 30,
  gracePeriodSeconds: 86_400,
} as const;

export interface SecretPolicy {
  rotator: SecretRotator;
  options: Record<string, unknown>;
  credentialId?: string;
  providerAddress?: string;
  validityDays: number;
  rotateEverySeconds?: number;
  rotateBeforeExpiryDays: number;
  gracePeriodSeconds: number;
  window?: RotationWindow;
}

/** Floors from the settings; tags and policy-file entries cannot go below them. */
export interface PolicyLimits {
  /** KVGUARD_MIN_ROTATION_PERIOD, in seconds. */
  minRotationSeconds: number;
}

export const DEFAULT_LIMITS: PolicyLimits = { minRotationSeconds: 86_400 };

/** The policy-file field each tag sets, as `lock` names it. */
const LOCK_NAMES: Record<string, string> = {
  [TAGS.rotator]: "rotator",
  [TAGS.credentialId]: "credentialId",
  [TAGS.providerAddress]: "providerAddress",
  [TAGS.validityPeriodDays]: "validityPeriodDays",
  [TAGS.rotateEvery]: "rotateEvery",
  [TAGS.rotateBeforeExpiryDays]: "rotateBeforeExpiryDays",
  [TAGS.gracePeriod]: "gracePeriod",
  [TAGS.window]: "window",
};

/** A policy-file value as a tag would spell it. */
function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

function locked(entry: PolicyFileEntry | undefined, field: string): boolean {
  return entry?.lock === "*" || (entry?.lock ?? []).includes(field);
}

/** Tags with the locked ones taken out; a locked tag that differs from the file's value is a problem. */
function unlockedTags(tags: Record<string, string>, entry: PolicyFileEntry | undefined, problems: string[]): Record<string, string> {
  if (!entry?.lock) return tags;
  const out: Record<string, string> = {};
  for (const [tag, value] of Object.entries(tags)) {
    const field = LOCK_NAMES[tag];
    if (field === undefined || !locked(entry, field)) out[tag] = value;
    else if (value !== text((entry as Record<string, unknown>)[field]))
      problems.push(`${tag}: locked by the policy file (lock: ${field}); remove the tag or change the policy file`);
  }
  return out;
}

function unlockedOptions(options: Record<string, string>, entry: PolicyFileEntry | undefined, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (locked(entry, "options") || locked(entry, `options.${key}`)) {
      if (value !== text(entry?.options?.[key])) problems.push(`${TAGS.options}: option ${key} is locked by the policy file (lock: options.${key})`);
    } else out[key] = value;
  }
  return out;
}

export type PolicyResult = { kind: "none" } | { kind: "policy"; policy: SecretPolicy } | { kind: "invalid"; problems: string[] };

/** `key=value;key=value`, the compact form of rotator options in one tag. */
export function parseOptionsTag(text: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const pair of text
    .split(";")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`"${pair}" is not key=value`);
    options[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return options;
}

function positiveNumber(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} "${text}" is not a positive number`);
  return n;
}

/** A rotation period of zero would rotate on every sweep. */
function positiveDuration(text: string): number {
  const seconds = parseDurationSeconds(text);
  if (seconds <= 0) throw new Error(`"${text}" is not a positive duration`);
  return seconds;
}

/** Runs one field's parser, turning its error into a problem that names the tag. */
function field<T>(problems: string[], tag: string, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    problems.push(`${tag}: ${(error as Error).message}`);
    return undefined;
  }
}

/** An object's policy fields as text: each tag over its policy-file entry (locked fields come from the entry). */
export interface PolicyFields {
  rotator?: string;
  credentialId?: string;
  providerAddress?: string;
  validityPeriodDays?: string;
  rotateEvery?: string;
  rotateBeforeExpiryDays?: string;
  gracePeriod?: string;
  window?: string;
  /** The tags the policy file does not lock. */
  tags: Record<string, string>;
  /** Tags that try to change a locked field. */
  problems: string[];
}

/** What secrets and native objects share: where each field comes from, tag or policy file, and what is locked. */
export function policyFields(tags: Record<string, string> | undefined, entry: PolicyFileEntry | undefined): PolicyFields {
  const problems: string[] = [];
  const t = unlockedTags(tags ?? {}, entry, problems);
  const pick = (tag: string, fromEntry: string | number | undefined): Record<string, string> => {
    const value = t[tag] ?? fromEntry?.toString();
    return value === undefined ? {} : { [LOCK_NAMES[tag]!]: value };
  };
  return {
    ...pick(TAGS.rotator, entry?.rotator),
    ...pick(TAGS.credentialId, entry?.credentialId),
    ...pick(TAGS.providerAddress, entry?.providerAddress),
    ...pick(TAGS.validityPeriodDays, entry?.validityPeriodDays),
    ...pick(TAGS.rotateEvery, entry?.rotateEvery),
    ...pick(TAGS.rotateBeforeExpiryDays, entry?.rotateBeforeExpiryDays),
    ...pick(TAGS.gracePeriod, entry?.gracePeriod),
    ...pick(TAGS.window, entry?.window),
    tags: t,
    problems,
  };
}

/** A secret's policy, its rotator looked up among the ones the app handed over. */
export function resolvePolicy(
  rotators: Rotators,
  tags: Record<string, string> | undefined,
  entry?: PolicyFileEntry,
  limits: PolicyLimits = DEFAULT_LIMITS,
): PolicyResult {
  if (entry?.invalid) return { kind: "invalid", problems: [entry.invalid] };
  const fields = policyFields(tags, entry);
  const { problems, tags: t } = fields;
  const rotatorName = fields.rotator;
  if (rotatorName === undefined) return problems.length ? { kind: "invalid", problems } : { kind: "none" };
  const rotator = rotators.secret(rotatorName);
  if (!rotator) problems.push(`${TAGS.rotator}: unknown rotator "${rotatorName}" (known: ${rotators.secretNames().join(", ")})`);

  const validity = fields.validityPeriodDays;
  const every = fields.rotateEvery;
  const before = fields.rotateBeforeExpiryDays;
  const grace = fields.gracePeriod;
  const windowText = fields.window;
  const tagOptions =
    t[TAGS.options] === undefined ? {} : unlockedOptions(field(problems, TAGS.options, () => parseOptionsTag(t[TAGS.options]!)) ?? {}, entry, problems);

  const policy = {
    validityDays: validity === undefined ? DEFAULTS.validityDays : field(problems, TAGS.validityPeriodDays, () => positiveNumber(validity, "validity")),
    rotateEverySeconds: every === undefined ? undefined : field(problems, TAGS.rotateEvery, () => positiveDuration(every)),
    rotateBeforeExpiryDays:
      before === undefined ? DEFAULTS.rotateBeforeExpiryDays : field(problems, TAGS.rotateBeforeExpiryDays, () => positiveNumber(before, "days")),
    gracePeriodSeconds: grace === undefined ? DEFAULTS.gracePeriodSeconds : field(problems, TAGS.gracePeriod, () => parseDurationSeconds(grace)),
    window: windowText === undefined ? undefined : field(problems, TAGS.window, () => parseWindow(windowText)),
  };
  for (const key of rotator?.operatorOptions ?? []) {
    if (key in tagOptions) problems.push(`${TAGS.options}: option ${key} can be set only in the operator's policy file (KVGUARD_POLICY_FILE)`);
  }
  const options = rotator ? field(problems, TAGS.options, () => rotator.parseOptions({ ...entry?.options, ...tagOptions })) : undefined;
  if (policy.validityDays !== undefined && policy.rotateBeforeExpiryDays !== undefined && policy.rotateBeforeExpiryDays >= policy.validityDays) {
    problems.push(
      `${TAGS.rotateBeforeExpiryDays}: ${policy.rotateBeforeExpiryDays} days before expiry is not inside a validity of ${policy.validityDays} days`,
    );
  }
  if (policy.rotateEverySeconds !== undefined && policy.rotateEverySeconds < limits.minRotationSeconds) {
    problems.push(
      `${TAGS.rotateEvery}: every ${every} is more often than the operator's minimum rotation period of ${limits.minRotationSeconds} seconds (KVGUARD_MIN_ROTATION_PERIOD)`,
    );
  }
  if (problems.length > 0 || !rotator || !options) return { kind: "invalid", problems };
  const { credentialId, providerAddress } = fields;
  return {
    kind: "policy",
    policy: {
      rotator,
      options,
      ...(credentialId !== undefined ? { credentialId } : {}),
      ...(providerAddress !== undefined ? { providerAddress } : {}),
      validityDays: policy.validityDays!,
      ...(policy.rotateEverySeconds !== undefined ? { rotateEverySeconds: policy.rotateEverySeconds } : {}),
      rotateBeforeExpiryDays: policy.rotateBeforeExpiryDays!,
      gracePeriodSeconds: policy.gracePeriodSeconds!,
      ...(policy.window ? { window: policy.window } : {}),
    },
  };
}
