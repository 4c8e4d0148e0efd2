/** @module Where kvguard reads the time: the system clock in Azure, the local Key Vault's clock locally. */

export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
