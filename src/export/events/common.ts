/**
 * @module What every kvguard event's data shares: the vault and object it is about and ISO times. Each event
 * type has its own schema file beside this one; `catalogue.ts` lists them with their CloudEvents type.
 */
import { z } from "zod";

export const isoTime = z.iso.datetime({ offset: true });

/** The vault's name as kvguard knows it (the host's first label, or the name given in KVGUARD_VAULT_URLS). */
export const vaultName = z.string().min(1).max(127);

/** A Key Vault object name. */
export const objectName = z.string().regex(/^[0-9a-zA-Z-]{1,127}$/);

export const objectType = z.enum(["secret", "key", "certificate"]);
