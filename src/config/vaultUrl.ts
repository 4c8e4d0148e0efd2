/**
 * @module Vault URLs as `KVGUARD_VAULT_URLS` lists them: checked one by one with a message that says how to
 * fix each, named for display, and told apart as Azure Key Vault or a vault on this machine.
 */

/** One vault kvguard guards. */
export interface VaultTarget {
  /** The vault's name: given as `name=url`, else the first DNS label of an Azure vault, `host:port` of a local one. */
  name: string;
  /** The vault's origin, such as `https://myvault.vault.azure.net` (no trailing slash). */
  url: string;
}

export const VAULT_URL_EXAMPLE = "https://myvault.vault.azure.net";

/** DNS suffixes of Key Vault and Managed HSM in the public and sovereign clouds. */
const AZURE_VAULT_SUFFIXES = [
  ".vault.azure.net",
  ".vault.azure.cn",
  ".vault.usgovcloudapi.net",
  ".managedhsm.azure.net",
  ".managedhsm.azure.cn",
  ".managedhsm.usgovcloudapi.net",
];

export function isAzureVaultHost(hostname: string): boolean {
  return AZURE_VAULT_SUFFIXES.some((suffix) => hostname.toLowerCase().endsWith(suffix));
}

/** localhost, `*.localhost`, 127.0.0.0/8 and ::1: where the local Key Vault listens. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return host === "localhost" || host.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1";
}

/** Either the vault, or a message saying what is wrong with the item and how to fix it. */
export type VaultUrlResult = { ok: true; vault: VaultTarget } | { ok: false; message: string };

/**
 * Checks one item of the list.
 * @param item - one comma-separated item, trimmed
 */
export function parseVaultUrl(entry: string): VaultUrlResult {
  // `name=https://...` names a vault whose host does not (a local vault on 127.0.0.1).
  const named = /^([A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9])=(.*)$/.exec(entry);
  const item = named ? named[2]!.trim() : entry;
  const fix = `Set it to a comma-separated list of vault URLs such as ${VAULT_URL_EXAMPLE}`;
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    const hint = !item.includes("://") && item.includes(".") ? ` (did you mean https://${item}?)` : "";
    return { ok: false, message: `"${item}" is not an https URL${hint}. ${fix}` };
  }
  // Show the item without any user name or password it carries.
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.protocol !== "https:") return { ok: false, message: `"${shown}" is not an https URL. ${fix}` };
  if (url.username || url.password) {
    return { ok: false, message: `"${shown}" carries a user name or password; vault URLs have none. Use ${url.origin}` };
  }
  if (url.pathname !== "/" || url.search || url.hash) {
    return { ok: false, message: `"${shown}" is not a vault URL: it has a path or query. Use the vault's address alone, ${url.origin}` };
  }
  const name = named ? named[1]! : isAzureVaultHost(url.hostname) ? url.hostname.split(".")[0]! : url.host;
  return { ok: true, vault: { name, url: url.origin } };
}
