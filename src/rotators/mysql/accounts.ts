/**
 * @module MySQL/MariaDB accounts (`'user'@'host'`) as text: the form statements take, the form the server
 * prints in SHOW GRANTS, and the rewrite of a SHOW GRANTS row from one account to another for cloning.
 */

/** A MySQL account: a user name and a host pattern (`%` and `_` are wildcards there, and literal in names). */
export interface Account {
  user: string;
  host: string;
}

/** Escapes a string literal; the connection's own escape (the session never has NO_BACKSLASH_ESCAPES). */
export type Escape = (value: string) => string;

/** `'user'@'host'` for a statement, both parts escaped as string literals. */
export function accountLiteral(account: Account, escape: Escape): string {
  return `${escape(account.user)}@${escape(account.host)}`;
}

/** How SHOW GRANTS prints an account (MariaDB 10.x and MySQL 8): backtick-quoted, backticks doubled. */
export function grantee(account: Account): string {
  const quote = (s: string) => `\`${s.replaceAll("`", "``")}\``;
  return `${quote(account.user)}@${quote(account.host)}`;
}

/** Parses CURRENT_USER()'s `user@host` (a host pattern never holds `@`; a user name may). */
export function parseCurrentUser(text: string): Account {
  const at = text.lastIndexOf("@");
  return { user: text.slice(0, at), host: text.slice(at + 1) };
}

/**
 * Rewrites one SHOW GRANTS row of `from` into the same statement for `to`. The password hash MariaDB prints
 * (`IDENTIFIED BY PASSWORD '*…'` or `IDENTIFIED VIA …`) is dropped, so the clone keeps its own password;
 * REQUIRE, WITH GRANT OPTION and resource limits stay. Object names in the row have their backticks
 * doubled, so the first ` TO <grantee>` (or ` FOR <grantee>` of SET DEFAULT ROLE) is the grantee itself.
 */
export function rewriteGrant(row: string, from: Account, to: Account): string {
  const source = grantee(from);
  const target = grantee(to);
  const defaultRole = row.startsWith("SET DEFAULT ROLE ");
  const marker = `${defaultRole ? " FOR " : " TO "}${source}`;
  let at = row.indexOf(marker);
  while (at >= 0 && !(row.length === at + marker.length || row[at + marker.length] === " ")) at = row.indexOf(marker, at + 1);
  if (at < 0) throw new Error(`a SHOW GRANTS row does not name the account where expected (${defaultRole ? "SET DEFAULT ROLE" : "GRANT"} row)`);
  let rest = row.slice(at + marker.length);
  if (rest.startsWith(" IDENTIFIED ")) {
    const ends = [" REQUIRE ", " WITH "].map((k) => rest.indexOf(k)).filter((i) => i >= 0);
    rest = ends.length > 0 ? rest.slice(Math.min(...ends)) : "";
  }
  return `${row.slice(0, at)}${defaultRole ? " FOR " : " TO "}${target}${rest}`;
}

/** The REQUIRE clause of an account from mysql.user's ssl_type, ssl_cipher, x509_issuer and x509_subject. */
export function requireClause(row: { ssl_type: string; ssl_cipher: string; x509_issuer: string; x509_subject: string }, escape: Escape): string {
  switch (row.ssl_type) {
    case "ANY":
      return "REQUIRE SSL";
    case "X509":
      return "REQUIRE X509";
    case "SPECIFIED": {
      const parts = [
        row.x509_issuer ? `ISSUER ${escape(row.x509_issuer)}` : "",
        row.x509_subject ? `SUBJECT ${escape(row.x509_subject)}` : "",
        row.ssl_cipher ? `CIPHER ${escape(row.ssl_cipher)}` : "",
      ].filter(Boolean);
      return parts.length > 0 ? `REQUIRE ${parts.join(" AND ")}` : "REQUIRE SSL";
    }
    default:
      return "REQUIRE NONE";
  }
}
