/**
 * @module The secret's value for an account key in each format (the key, a connection string, a JSON
 * document). The key is read back from any of them by the key-pair rotator's `keyOf`, which knows
 * `AccountKey=`. Errors never quote the value.
 */
import type { ValueFormat } from "../key-pair/options.js";

export interface AccountEndpoints {
  blob?: string;
  queue?: string;
  table?: string;
  file?: string;
}

const trim = (url: string) => url.replace(/\/+$/, "");

/** A connection string with the account's own endpoints, which fits any cloud (and Azurite). */
export function connectionString(account: string, key: string, endpoints: AccountEndpoints): string {
  const scheme = (endpoints.blob ?? "https:").startsWith("http:") ? "http" : "https";
  const parts = [`DefaultEndpointsProtocol=${scheme}`, `AccountName=${account}`, `AccountKey=${key}`];
  if (endpoints.blob) parts.push(`BlobEndpoint=${trim(endpoints.blob)}`);
  if (endpoints.queue) parts.push(`QueueEndpoint=${trim(endpoints.queue)}`);
  if (endpoints.table) parts.push(`TableEndpoint=${trim(endpoints.table)}`);
  if (endpoints.file) parts.push(`FileEndpoint=${trim(endpoints.file)}`);
  if (!endpoints.blob && !endpoints.queue && !endpoints.table && !endpoints.file) parts.push("EndpointSuffix=core.windows.net");
  return `${parts.join(";")};`;
}

export function renderValue(format: ValueFormat, init: { account: string; keyName: string; key: string; endpoints: AccountEndpoints }): string {
  const cs = () => connectionString(init.account, init.key, init.endpoints);
  switch (format) {
    case "key":
      return init.key;
    case "connectionString":
      return cs();
    case "json":
      return JSON.stringify({
        accountName: init.account,
        keyName: init.keyName,
        key: init.key,
        ...(init.endpoints.blob ? { blobEndpoint: trim(init.endpoints.blob) } : {}),
        connectionString: cs(),
      });
  }
}
