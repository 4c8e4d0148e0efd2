/**
 * @module What comes due on a vault as its clock moves. Before every request: the soft deletes and recovers
 * whose moment has passed, and the issuance of the certificate the request is about, so a request never
 * sees a state that is already over. On every clock tick and move: the issuance of every certificate due
 * and the AutoRenew triggers reached (these look at every certificate, too much for each request).
 */
import { autoRenew } from "./certificates/lifetime.js";
import { completeDueOperations } from "./certificates/operations.js";
import type { EventBus } from "./events/bus.js";
import type { Vault } from "./vault.js";

function settleStores(vault: Vault, nowMs: number): boolean {
  return [vault.secrets.settle(nowMs), vault.keys.settle(nowMs), vault.certificates.settle(nowMs)].some(Boolean);
}

/** Returns whether anything changed (state to save). */
export function settleForRequest(vault: Vault, events: EventBus, nowMs: number, certificateName: string | undefined): boolean {
  const settled = settleStores(vault, nowMs);
  const issued = certificateName !== undefined && completeDueOperations(vault, events, nowMs, certificateName);
  return settled || issued;
}

/** Returns whether anything changed (state to save). */
export function settleVault(vault: Vault, events: EventBus, nowMs: number): boolean {
  const settled = settleStores(vault, nowMs);
  const issued = completeDueOperations(vault, events, nowMs);
  const renewed = autoRenew(vault, events, nowMs);
  return settled || issued || renewed;
}
