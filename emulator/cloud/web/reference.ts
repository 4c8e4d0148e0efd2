/**
 * @module Key Vault references in app settings, as App Service reads them: a value that is exactly
 * `@Microsoft.KeyVault(SecretUri=https://vault/secrets/NAME[/VERSION])` or
 * `@Microsoft.KeyVault(VaultName=V;SecretName=NAME[;SecretVersion=VERSION])` names a secret; any other
 * value is an ordinary setting; a value that starts like a reference but does not parse is InvalidSyntax.
 */

export interface KeyVaultReference {
  /** The vault: a SecretUri's origin (`https://host[:port]`) or a VaultName. */
  vault: { origin: string; host: string } | { name: string };
  secretName: string;
  secretVersion?: string;
}

export type ParsedSetting = { kind: "plain" } | { kind: "reference"; reference: KeyVaultReference } | { kind: "invalid"; details: string };

const PREFIX = "@microsoft.keyvault(";
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const VERSION = /^[0-9a-f]{32}$/i;

function invalid(details: string): ParsedSetting {
  return { kind: "invalid", details: `The Key Vault reference could not be parsed: ${details}.` };
}

function checkNameAndVersion(secretName: string, secretVersion: string | undefined): string | undefined {
  if (!SECRET_NAME.test(secretName)) return `"${secretName}" is not a secret name (1-127 letters, digits and hyphens)`;
  if (secretVersion !== undefined && !VERSION.test(secretVersion)) return `"${secretVersion}" is not a secret version (32 hexadecimal characters)`;
  return undefined;
}

function fromSecretUri(text: string): ParsedSetting {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid(`SecretUri "${text}" is not a URL`);
  }
  if (url.protocol !== "https:") return invalid("SecretUri must be an https URL");
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts[0]?.toLowerCase() !== "secrets" || parts.length < 2 || parts.length > 3) {
    return invalid("SecretUri must be https://<vault>/secrets/<name>/ or https://<vault>/secrets/<name>/<version>");
  }
  const [, secretName, secretVersion] = parts as [string, string, string | undefined];
  const problem = checkNameAndVersion(secretName, secretVersion);
  if (problem) return invalid(problem);
  const vault = { origin: url.origin.toLowerCase(), host: url.hostname.toLowerCase() };
  return { kind: "reference", reference: { vault, secretName, ...(secretVersion ? { secretVersion } : {}) } };
}

function fromParts(text: string): ParsedSetting {
  const fields = new Map<string, string>();
  for (const pair of text
    .split(";")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.indexOf("=");
    if (at <= 0) return invalid(`"${pair}" is not Name=Value`);
    fields.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
  }
  const unknown = [...fields.keys()].find((k) => !["vaultname", "secretname", "secretversion"].includes(k));
  if (unknown !== undefined) return invalid(`unknown field "${unknown}" (VaultName, SecretName and SecretVersion are allowed)`);
  const vaultName = fields.get("vaultname");
  const secretName = fields.get("secretname");
  if (!vaultName || !secretName) return invalid("VaultName and SecretName are required");
  const secretVersion = fields.get("secretversion") || undefined;
  const problem = checkNameAndVersion(secretName, secretVersion);
  if (problem) return invalid(problem);
  return { kind: "reference", reference: { vault: { name: vaultName }, secretName, ...(secretVersion ? { secretVersion } : {}) } };
}

export function parseSetting(value: string): ParsedSetting {
  if (!value.toLowerCase().startsWith(PREFIX)) return { kind: "plain" };
  if (!value.endsWith(")")) return invalid("the reference does not end with ')'");
  const inner = value.slice(PREFIX.length, -1).trim();
  if (/^secreturi\s*=/i.test(inner)) return fromSecretUri(inner.slice(inner.indexOf("=") + 1).trim());
  return fromParts(inner);
}

/** The vault name a reference shows in its status: VaultName, or the first label of a SecretUri's host. */
export function referenceVaultLabel(reference: KeyVaultReference): string {
  return "name" in reference.vault ? reference.vault.name : reference.vault.host.split(".")[0]!;
}
