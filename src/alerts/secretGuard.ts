/**
 * @module The last guard before anything leaves kvguard: an alert, or a rendered card or mail, that contains
 * a value the caller marked as secret is refused. The alert model has no field for a secret; this catches
 * one pasted into an explanation (an error message that quoted a credential).
 */

/** Values shorter than this are not checked: "1" or "true" would match everywhere. */
const MIN_SECRET_LENGTH = 6;

export class SecretLeakError extends Error {
  constructor(readonly where: string) {
    super(`refused to send ${where}: it contains a value marked as secret`);
    this.name = "SecretLeakError";
  }
}

/** Every string inside a value (object fields, array items), for checking a whole alert. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value && typeof value === "object") for (const item of Object.values(value)) strings(item, out);
  return out;
}

/** The forms a value takes once rendered: as is, JSON-escaped, HTML-escaped. */
function forms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const html = secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  return [...new Set([secret, json, html])];
}

/**
 * Throws `SecretLeakError` when `content` (text, or an object whose strings are checked) contains a secret.
 * @param content - an alert, a rendered payload or text
 * @param secrets - values that must never appear
 * @param where - what is being checked, for the error
 */
export function assertNoSecrets(content: unknown, secrets: readonly string[], where: string): void {
  const checked = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(forms);
  if (checked.length === 0) return;
  for (const text of strings(content)) {
    if (checked.some((secret) => text.includes(secret))) throw new SecretLeakError(where);
  }
}
