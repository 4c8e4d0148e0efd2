/**
 * @module The last guard before anything leaves kvguard: an alert, or a rendered card or mail, that contains
 * a value the caller marked as secret is refused. The alert model has no field for a secret; this catches
 * one pasted into an explanation (an error message that quoted a credential), in every form rendering gives
 * it (JSON, HTML, one plain line, markdown-escaped).
 */
import { escapeHtml } from "../common/html.js";
import { plainText } from "./render/format.js";
import { escapeMarkdown, markdownText } from "./render/markdown.js";

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

/** The forms a value takes once rendered: as is or as one plain line, each JSON-, HTML- or markdown-escaped. */
function forms(secret: string): string[] {
  return [
    ...new Set(
      [secret, plainText(secret)].flatMap((value) => {
        const json = JSON.stringify(value).slice(1, -1);
        const html = escapeHtml(value);
        const markdown = escapeMarkdown(value);
        // The card's JSON holds the markdown form JSON-escaped (a backslash doubles).
        return [value, json, html, markdown, JSON.stringify(markdown).slice(1, -1), markdownText(value), JSON.stringify(markdownText(value)).slice(1, -1)];
      }),
    ),
  ];
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
