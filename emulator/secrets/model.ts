/** @module A stored secret version. */
import type { StoredVersion } from "../common/versionedStore.js";

export interface SecretVersion extends StoredVersion {
  value: string;
  contentType?: string;
  /** A certificate's secret: read-only, its key is the key of the same name and version. */
  managed?: boolean;
  /** A certificate's secret: the certificate version this one followed. */
  previousVersion?: string;
}

/** Key Vault's limit on a secret value. */
export const MAX_SECRET_BYTES = 25 * 1024;
