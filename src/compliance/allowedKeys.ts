/** @module The key types and curves the checks allow (Azure Policy's defaults: every type Key Vault makes, and the four curves). */
export const ALLOWED_KEY_TYPES = ["RSA", "RSA-HSM", "EC", "EC-HSM"];
export const ALLOWED_EC_NAMES = ["P-256", "P-256K", "P-384", "P-521"];
