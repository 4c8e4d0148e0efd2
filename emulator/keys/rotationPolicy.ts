/**
 * @module Key rotation policies: the request schema and Key Vault's rules for it, the wire shape, the
 * default policy the service reports for a key that has none, and the expiry a rotation gives a new version.
 */
import { z } from "zod";
import { parseBody } from "../common/attributes.js";
import { errors } from "../http/errors.js";
import type { Vault } from "../vault.js";
import type { KeyRotationPolicy, LifetimeAction } from "./model.js";

const DAY = 86_400;
const MIN_EXPIRY_SECONDS = 28 * DAY;
/** A rotation must come at least 7 days after creation and 7 days before expiry. */
const MIN_ROTATION_GAP_SECONDS = 7 * DAY;

/** What Key Vault answers for a key with no policy set: notify 30 days before expiry, nothing else. */
const DEFAULT_POLICY = {
  lifetimeActions: [{ trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } }],
  attributes: {},
} as const;

const policyBody = z
  .object({
    lifetimeActions: z
      .array(
        z.object({
          trigger: z.object({ timeAfterCreate: z.string().nullish(), timeBeforeExpiry: z.string().nullish() }).loose(),
          action: z.object({ type: z.string() }).loose(),
        }),
      )
      .max(2, { message: "at most two lifetime actions are allowed: one Rotate and one Notify" })
      .optional(),
    attributes: z.object({ expiryTime: z.string().nullish() }).loose().optional(),
  })
  .loose();

interface Duration {
  years: number;
  months: number;
  days: number;
  seconds: number;
}

const ISO_DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

function parseDuration(text: string, field: string): Duration {
  const match = ISO_DURATION.exec(text);
  if (!match) throw errors.badParameter(`${field} must be an ISO 8601 duration such as P90D, P3M or P1Y10D; got ${text}.`);
  const [y, mo, w, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number, number];
  return { years: y, months: mo, days: w * 7 + d, seconds: h * 3600 + mi * 60 + s };
}

/** For the service's minimums, where a month counts as 30 days and a year as 365. */
function approximateSeconds(duration: Duration): number {
  return (duration.years * 365 + duration.months * 30 + duration.days) * DAY + duration.seconds;
}

/** Calendar addition in UTC: P1M from 31 January lands where JavaScript's Date puts it. */
function addDuration(unixSeconds: number, duration: Duration): number {
  const date = new Date(unixSeconds * 1000);
  date.setUTCFullYear(date.getUTCFullYear() + duration.years, date.getUTCMonth() + duration.months);
  return Math.floor(date.getTime() / 1000) + duration.days * DAY + duration.seconds;
}

function normaliseAction(type: string): "Rotate" | "Notify" {
  const lower = type.toLowerCase();
  if (lower === "rotate") return "Rotate";
  if (lower === "notify") return "Notify";
  throw errors.badParameter(`Invalid lifetime action type ${type}: use Rotate or Notify.`);
}

type ActionsInput = NonNullable<z.infer<typeof policyBody>["lifetimeActions"]>;

function validateActions(input: ActionsInput, expiry: Duration | undefined): LifetimeAction[] {
  const seen = new Set<string>();
  return input.map(({ trigger, action }) => {
    const type = normaliseAction(action.type);
    if (seen.has(type)) throw errors.badParameter(`A policy may hold one ${type} action only.`);
    seen.add(type);
    const after = trigger.timeAfterCreate ?? undefined;
    const before = trigger.timeBeforeExpiry ?? undefined;
    if ((after === undefined) === (before === undefined)) {
      throw errors.badParameter("Each lifetime action trigger needs exactly one of timeAfterCreate and timeBeforeExpiry.");
    }
    if (type === "Notify" && after !== undefined) throw errors.badParameter("A Notify action can only be triggered by timeBeforeExpiry.");
    const duration = parseDuration((after ?? before)!, after !== undefined ? "timeAfterCreate" : "timeBeforeExpiry");
    const seconds = approximateSeconds(duration);
    if (type === "Rotate" && seconds < MIN_ROTATION_GAP_SECONDS) {
      throw errors.badParameter("A rotation must be at least 7 days after creation and at least 7 days before expiry.");
    }
    if (type === "Rotate" && expiry && seconds > approximateSeconds(expiry) - MIN_ROTATION_GAP_SECONDS) {
      throw errors.badParameter("A rotation trigger must leave at least 7 days between creation, rotation and expiry.");
    }
    return { trigger: after !== undefined ? { timeAfterCreate: after } : { timeBeforeExpiry: before! }, action: { type } };
  });
}

/** Applies a PUT: members sent replace the stored ones, members left out stay as they were. */
export function applyPolicy(current: KeyRotationPolicy | undefined, body: unknown, now: number): KeyRotationPolicy {
  const input = parseBody(policyBody, body);
  const expiryTime = input.attributes ? (input.attributes.expiryTime ?? undefined) : current?.attributes.expiryTime;
  const expiry = expiryTime === undefined ? undefined : parseDuration(expiryTime, "expiryTime");
  if (expiry && approximateSeconds(expiry) < MIN_EXPIRY_SECONDS) throw errors.badParameter("expiryTime must be at least 28 days (P28D).");
  const lifetimeActions = validateActions(input.lifetimeActions ?? current?.lifetimeActions ?? [], expiry);
  return {
    lifetimeActions,
    attributes: { ...(expiryTime !== undefined ? { expiryTime } : {}), created: current?.attributes.created ?? now, updated: now },
  };
}

/** The `exp` a rotation gives the new version: now plus the policy's expiryTime, if it has one. */
export function rotatedExpiry(policy: KeyRotationPolicy | undefined, now: number): number | undefined {
  const expiryTime = policy?.attributes.expiryTime;
  return expiryTime === undefined ? undefined : addDuration(now, parseDuration(expiryTime, "expiryTime"));
}

export function policyOut(vault: Vault, name: string, policy: KeyRotationPolicy | undefined) {
  if (!policy) return DEFAULT_POLICY;
  return { id: `${vault.url}/keys/${name}/rotationpolicy`, lifetimeActions: policy.lifetimeActions, attributes: policy.attributes };
}

/** Policies are kept by lower-cased key name, as key names are case-insensitive. */
export const policies = {
  get: (vault: Vault, name: string) => vault.keyRotationPolicies.get(name.toLowerCase()),
  set: (vault: Vault, name: string, policy: KeyRotationPolicy) => void vault.keyRotationPolicies.set(name.toLowerCase(), policy),
  delete: (vault: Vault, name: string) => void vault.keyRotationPolicies.delete(name.toLowerCase()),
};
