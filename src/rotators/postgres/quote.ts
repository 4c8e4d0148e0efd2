/**
 * @module PostgreSQL's quoting rules, for the utility statements (ALTER ROLE, CREATE ROLE, GRANT) that take
 * no bind parameters: identifiers in double quotes with `"` doubled (what `quote_ident` does), literals in
 * single quotes with `'` doubled, and `E'…'` with doubled backslashes when a backslash is present (what
 * `quote_literal` does, right whatever `standard_conforming_strings` says). NUL cannot be stored at all.
 */

export function quoteIdent(name: string): string {
  if (name.includes("\0")) throw new Error("a PostgreSQL name cannot hold a NUL character");
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(text: string): string {
  if (text.includes("\0")) throw new Error("a PostgreSQL literal cannot hold a NUL character");
  const quoted = `'${text.replaceAll("'", "''")}'`;
  return text.includes("\\") ? `E${quoted.replaceAll("\\", "\\\\")}` : quoted;
}

/** PostgreSQL cuts names at NAMEDATALEN - 1 bytes; a longer one would silently name another role. */
export const MAX_NAME_BYTES = 63;
