/** @module ARM errors of a key-pair type's calls as messages that say what to fix; an ARM error body never holds a key. */
import { ensureError, statusOf } from "../../common/errors.js";
import type { ResolvedTarget } from "./keyPairType.js";

export async function armCall<T>(target: ResolvedTarget, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const status = statusOf(error);
    const where = `${target.type.label} ${target.id}`;
    if (status === 404) throw new Error(`${what}: ${where} was not found; check the secret's ProviderAddress`, { cause: error });
    if (status === 401 || status === 403)
      throw new Error(`${what}: kvguard's identity may not do this on ${where}; grant it ${target.type.role}`, { cause: error });
    throw new Error(`${what} on ${where} failed${status ? ` (${status})` : ""}: ${ensureError(error).message}`, { cause: error });
  }
}

/** A value ARM must have returned; its absence is the service's or the resource's configuration. */
export function required<T>(value: T | undefined | null, what: string, target: ResolvedTarget): T {
  if (value === undefined || value === null || value === "")
    throw new Error(`ARM returned no ${what} for ${target.type.label} ${target.id} (local authentication disabled?)`);
  return value;
}
