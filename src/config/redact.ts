/**
 * @module Keeping secret setting values out of anything kvguard prints: problems, summaries, logs and the
 * health response. A value is treated as secret when its name or its shape says so.
 */

/** Names that usually hold credentials (webhook URLs carry a signature); `AzureWebJobsX` (no `__`) are connection strings. */
const SECRET_NAME = /connection|secret|password|passwd|pwd|token|key|sas|signature|credential|webhook|^AzureWebJobs[A-Za-z]*$/i;

/** Connection-string parts that are credentials themselves (a `<placeholder>` in a hint is not one). */
const SECRET_PART = /\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|sig)=(?!<)[^;&\s"']+/gi;

/** Settings kvguard and the Functions host read; other variables (PWD, HOME...) are not settings. */
const SETTING_NAME = /^(KVGUARD_|AZURE_|AzureWebJobs|APPSETTING_)/i;

/** Shorter values are not scrubbed from text: replacing "1" or "true" everywhere would garble messages. */
const MIN_SCRUB_LENGTH = 6;

/** Whether a setting's name suggests its value is a secret (a key, a password, a connection string...). */
export function isSecretName(name: string): boolean {
  // `__accountName`, `__clientId`, `__credential` (the identity-based form) name no secret.
  if (name.includes("__")) return /password|secret|key|token/i.test(name.slice(name.indexOf("__")));
  return SECRET_NAME.test(name);
}

/** Whether a value carries a credential whatever its name (someone pasted a connection string). */
export function looksLikeSecretValue(value: string): boolean {
  SECRET_PART.lastIndex = 0;
  return SECRET_PART.test(value);
}

/**
 * What may be shown of a secret value: its `AccountName=...` part when it has one, else only its length.
 * @param value - the secret value
 */
export function describeSecret(value: string): string {
  const accountName = /(?:^|;)\s*AccountName=([^;]*)/i.exec(value)?.[1]?.trim();
  return accountName ? `(AccountName=${accountName})` : `(set, ${value.length} chars)`;
}

/**
 * Text with every secret setting value from `env` replaced by its description and any credential part
 * (`AccountKey=...`, `sig=...`) masked, as a last guard on output built from settings.
 * @param text - text about to be shown
 * @param env - the settings whose secret values must not appear
 */
export function scrubSecrets(text: string, env: Readonly<Record<string, string | undefined>>): string {
  let scrubbed = text;
  for (const [name, value] of Object.entries(env)) {
    // Azurite's well-known setting is no secret, and the hints quote it.
    if (!value || value.length < MIN_SCRUB_LENGTH || /^\s*UseDevelopmentStorage=true\s*$/i.test(value)) continue;
    if (!(SETTING_NAME.test(name) && isSecretName(name)) && !looksLikeSecretValue(value)) continue;
    scrubbed = scrubbed.split(value).join(describeSecret(value));
    const trimmed = value.trim();
    if (trimmed !== value && trimmed.length >= MIN_SCRUB_LENGTH) scrubbed = scrubbed.split(trimmed).join(describeSecret(trimmed));
  }
  return scrubbed.replace(SECRET_PART, (_match, part: string) => `${part}=***`);
}
