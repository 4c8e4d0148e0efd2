/**
 * @module What kind of storage connection `AzureWebJobsStorage` holds, judged from its parts without keeping
 * the credential: the config only carries the kind and the account name.
 */

/** How the Functions host reaches its storage account. */
export type StorageConnection = { kind: "developmentStorage" } | { kind: "connectionString"; accountName?: string } | { kind: "identity"; accountName: string };

/** `Key=Value;...` parts, keys lower-cased; a value may itself contain `=` (base64 keys end in `==`). */
export function connectionStringParts(value: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const segment of value.split(";")) {
    const eq = segment.indexOf("=");
    if (eq <= 0) continue;
    parts.set(segment.slice(0, eq).trim().toLowerCase(), segment.slice(eq + 1).trim());
  }
  return parts;
}

/**
 * The connection a storage connection string describes, or undefined when it is not one the host can use:
 * `UseDevelopmentStorage=true`, an account name with a key, or a SAS with service endpoints.
 * @param value - the `AzureWebJobsStorage` value
 */
export function parseStorageConnectionString(value: string): StorageConnection | undefined {
  const parts = connectionStringParts(value);
  if (parts.get("usedevelopmentstorage")?.toLowerCase() === "true") return { kind: "developmentStorage" };
  const accountName = parts.get("accountname") || undefined;
  const hasKey = Boolean(accountName && parts.get("accountkey"));
  const hasSas = Boolean(parts.get("sharedaccesssignature")) && ["blobendpoint", "queueendpoint", "accountname"].some((k) => parts.get(k));
  if (!hasKey && !hasSas) return undefined;
  return accountName ? { kind: "connectionString", accountName } : { kind: "connectionString" };
}
