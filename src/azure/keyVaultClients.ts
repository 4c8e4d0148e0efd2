/**
 * @module SDK clients for one vault, configured for a real vault or the local one. A local vault needs the
 * emulator's CA (`tlsOptions.ca`) and `disableChallengeResourceVerification`, since its host is not under
 * vault.azure.net; a real vault needs neither.
 */
import type { TokenCredential } from "@azure/core-auth";
import { CertificateClient } from "@azure/keyvault-certificates";
import { CryptographyClient, KeyClient, type KeyClientOptions } from "@azure/keyvault-keys";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";

export interface VaultConnection {
  vaultUrl: string;
  credential: TokenCredential;
  /** PEM of the CA that signed a local vault's certificate; its presence marks the vault as local. */
  ca?: string;
  /** Retry settings (the SDK's defaults otherwise). */
  retryOptions?: SecretClientOptions["retryOptions"];
}

export interface VaultClients {
  secrets: SecretClient;
  keys: KeyClient;
  certificates: CertificateClient;
  /** A CryptographyClient for a key id (`https://vault/keys/name[/version]`). */
  crypto(keyId: string): CryptographyClient;
}

export function clientOptions(connection: VaultConnection): SecretClientOptions & KeyClientOptions {
  return {
    ...(connection.retryOptions ? { retryOptions: connection.retryOptions } : {}),
    ...(connection.ca ? { tlsOptions: { ca: connection.ca }, disableChallengeResourceVerification: true } : {}),
  };
}

export function createVaultClients(connection: VaultConnection): VaultClients {
  const options = clientOptions(connection);
  return {
    secrets: new SecretClient(connection.vaultUrl, connection.credential, options),
    keys: new KeyClient(connection.vaultUrl, connection.credential, options),
    certificates: new CertificateClient(connection.vaultUrl, connection.credential, options),
    crypto: (keyId) => new CryptographyClient(keyId, connection.credential, options),
  };
}
