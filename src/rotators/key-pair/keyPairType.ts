/**
 * @module What one row of the key-pair table says about a resource type: how its resource id looks, which
 * pairs of keys it has, and, for one resource, how to list the pair, regenerate one key, describe a key
 * (endpoint, connection string) and prove a key works with a data-plane call.
 */
import type { RotatorRuntime } from "../types.js";

/** Which pair of keys: most services have one; Cosmos DB and App Configuration also a read-only pair. */
export const KEY_SETS = ["readWrite", "readOnly"] as const;
export type KeySet = (typeof KEY_SETS)[number];

/** A key as the service lists it: its name in the ARM API (`primary`, `key1`, `Secondary`...) and value. */
export interface PairKey {
  name: string;
  value: string;
  /** App Configuration's key id (its connection string's `Id=`). */
  id?: string;
  /** When the service made the key (ms), where it says (storage accounts). */
  created?: number;
}

/** A resource id, checked against the type's shape; `parts` holds its named segments. */
export interface ResolvedTarget {
  type: KeyPairType;
  /** The resource id as given (trimmed), for messages and the trust bindings. */
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  /** `name` always; Service Bus / Event Hubs rules also `rule`, and `collection` + `entity` for an entity's rule. */
  parts: Record<string, string>;
}

export interface KeyPairAccess {
  /** The pair, in the type's order (the first and second key names). */
  keys(): Promise<[PairKey, PairKey]>;
  /** Regenerates one key of the pair (by name). */
  regenerate(name: string): Promise<void>;
  /** Where the key is used, and the connection string consumers would use, when the service has one. */
  describe(key: PairKey): Promise<{ endpoint?: string; connectionString?: string }>;
  /** Throws when the service refuses the key (a message naming the service and status, never the key). */
  validate(key: PairKey): Promise<void>;
}

export interface KeyPairType {
  /** The table's name for it (`redis`, `cosmos`...). */
  name: string;
  /** The service's name, for messages and docs. */
  label: string;
  /** The resource id's shape after `/subscriptions/<s>/resourceGroups/<rg>/providers/`, for messages. */
  shape: string;
  /** Matches the part of the id after `providers/`, with named groups. */
  pattern: RegExp;
  /** The key names of each pair it has (first, second). */
  keyNames: Partial<Record<KeySet, readonly [string, string]>>;
  /** Whether the service has a connection string format (`format: connectionString`). */
  connectionString: boolean;
  /** The role that may list and regenerate keys, for the 403 advice. */
  role: string;
  /** Its data-plane check needs the key alone (not a name or id from the listing): testing a key calls no ARM. */
  checksKeyAlone?: boolean;
  /** What regenerating a key also breaks, said in history and alerts. */
  warning?: string;
  /** The resource's keys through its ARM SDK, with the runtime the app gives rotators (identity, cloud, CA). */
  access(target: ResolvedTarget, keySet: KeySet, runtime: RotatorRuntime): Promise<KeyPairAccess>;
}
