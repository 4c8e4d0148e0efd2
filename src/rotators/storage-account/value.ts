/**
 * @module The `storage-account` secret's value in each format: the key, the connection string the key-pair
 * table's storage row describes, or its own JSON document (`accountName`, `keyName`, `key`, `blobEndpoint`,
 * `connectionString`). The key is read back from any of them by the key-pair code's `keyOf`, which knows
 * `AccountKey=`. Errors never quote the value.
 */
import type { PairKey } from "../key-pair/keyPairType.js";
import type { ValueFormat } from "../key-pair/options.js";

export function renderStorageValue(format: ValueFormat, account: string, key: PairKey, described: { endpoint?: string; connectionString?: string }): string {
  // The storage row always describes a connection string.
  const cs = described.connectionString!;
  switch (format) {
    case "key":
      return key.value;
    case "connectionString":
      return cs;
    case "json":
      return JSON.stringify({
        accountName: account,
        keyName: key.name,
        key: key.value,
        ...(described.endpoint ? { blobEndpoint: described.endpoint.replace(/\/+$/, "") } : {}),
        connectionString: cs,
      });
  }
}
