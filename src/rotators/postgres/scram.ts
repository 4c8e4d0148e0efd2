/**
 * @module SCRAM-SHA-256 verifiers computed on the client, the way libpq's `PQencryptPasswordConn` and psql's
 * `\password` do: `ALTER ROLE … PASSWORD 'SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>'` stores
 * the verifier as is, so the plaintext never reaches the server (nor its statement log). RFC 5802 and
 * RFC 7677: SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt, i); ClientKey = HMAC(SaltedPassword,
 * "Client Key"); StoredKey = SHA-256(ClientKey); ServerKey = HMAC(SaltedPassword, "Server Key").
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/** PostgreSQL's default (`scram_iterations`). */
export const SCRAM_ITERATIONS = 4096;

/**
 * RFC 4013 SASLprep's mapping and normalisation (non-ASCII spaces → space, "mapped to nothing" removed,
 * NFKC), as PostgreSQL's server and the `pg` client apply them; ASCII passwords pass unchanged.
 */
export function saslPrep(password: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  return (
    password
      .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, " ")
      // Joiners and variation selectors are listed on purpose: RFC 3454 table B.1 removes them.
      // eslint-disable-next-line no-misleading-character-class
      .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, "")
      .normalize("NFKC")
  );
}

export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const salted = pbkdf2Sync(Buffer.from(saslPrep(password), "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** A verifier's shape: base64 only, so it is safe inside a string literal. */
export const VERIFIER_PATTERN = /^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/;
