/**
 * @module What comes due on a vault as its clock moves: soft deletes and recovers whose moment has passed
 * complete, issued certificates become their new version, and certificates reaching their AutoRenew
 * trigger are renewed. Run before every request and on every clock tick, so a request never sees a state
 * that is already over.
 */
import { autoRenew } from "./certificates/lifetime.js";
import { completeDueOperations } from "./certificates/operations.js";
import type { EventBus } from "./events/bus.js";
import type { Vault } from "./vault.js";

/** Returns whether anything changed (state to save). */
export function settleVault(vault: Vault, events: EventBus, nowMs: number): boolean {
  const settled = [vault.secrets.settle(nowMs), vault.keys.settle(nowMs), vault.certificates.settle(nowMs)].some(Boolean);
  const issued = completeDueOperations(vault, events, nowMs);
  const renewed = autoRenew(vault, events, nowMs);
  return settled || issued || renewed;
}
