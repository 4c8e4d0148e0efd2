/**
 * @module The secret's value for an account key in each format (the key, a connection string, a JSON
 * document), and the key read back from any of them. Errors never quote the value.
 */
import type { ValueFormat } from "./options.js";

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

/** The account key a value holds, whatever its format (a secret seeded by hand may use another). */
export function keyOf(value: string): string {
  const text = value.trim();
  if (text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error("the secret's value starts like JSON but does not parse");
    }
    const key = (parsed as { key?: unknown }).key;
    if (typeof key !== "string" || key === "") throw new Error('the secret\'s JSON value has no "key" string');
    return key;
  }
  if (/(^|;)\s*AccountKey=/i.test(text)) {
    for (const part of text.split(";")) {
      const eq = part.indexOf("=");
      if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === "accountkey") return part.slice(eq + 1).trim();
    }
  }
  if (text === "") throw new Error("the secret's value is empty: seed it with the account key in use (key1 or key2)");
  return text;
}
