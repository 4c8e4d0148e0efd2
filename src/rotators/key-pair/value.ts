/**
 * @module The secret's value for a key in each format, and the key read back from any of them (a secret
 * seeded by hand may use another format). Errors never quote the value.
 */
import type { PairKey, ResolvedTarget } from "./keyPairType.js";
import type { ValueFormat } from "./options.js";

/** The fields that hold the key in each service's connection string. */
const KEY_FIELDS = /(?:^|[;,])\s*(?:AccountKey|SharedAccessKey|AccessKey|Secret|password)=([^;,]+)/i;

export function renderValue(format: ValueFormat, target: ResolvedTarget, key: PairKey, described: { endpoint?: string; connectionString?: string }): string {
  switch (format) {
    case "key":
      return key.value;
    case "connectionString":
      if (!described.connectionString) throw new Error(`${target.type.label} has no connection string format; use format key or json`);
      return described.connectionString;
    case "json":
      return JSON.stringify({
        type: target.type.name,
        resourceId: target.id,
        keyName: key.name,
        key: key.value,
        ...(described.endpoint ? { endpoint: described.endpoint } : {}),
        ...(described.connectionString ? { connectionString: described.connectionString } : {}),
      });
  }
}

/** The key a value holds, whatever its format. */
export function keyOf(value: string): string {
  const text = value.trim();
  if (text === "") throw new Error("the secret's value is empty: seed it with the key in use");
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
  return KEY_FIELDS.exec(text)?.[1]?.trim() ?? text;
}

/** App Configuration's key id, when the value carries one (`Id=` of its connection string, `id` of JSON). */
export function keyIdOf(value: string): string | undefined {
  const text = value.trim();
  if (text.startsWith("{")) return undefined;
  return /(?:^|;)\s*Id=([^;]+)/i.exec(text)?.[1]?.trim();
}
