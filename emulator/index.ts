/** @module The local Key Vault's public surface. */
export { DEFAULT_LRO_SECONDS, LocalKeyVault, LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID, LOCAL_TENANT_ID, type EmulatorOptions } from "./localKeyVault.js";
export { ROLE_NAMES, type RoleAssignment, type RoleName } from "./auth/rbac.js";
export type { KeyVaultEvent } from "./events/bus.js";
export type { SubscriptionInput, SubscriptionView } from "./events/delivery.js";
