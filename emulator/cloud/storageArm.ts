/**
 * @module Azure Storage's management plane over Azurite's accounts, for `@azure/arm-storage`: get an account,
 * list its keys, regenerate one. Shapes follow the REST specs (`Microsoft.Storage` StorageAccountGetProperties,
 * StorageAccountListKeys, StorageAccountRegenerateKey). Accounts live in the local subscription and resource
 * group; their `primaryEndpoints` point at Azurite (path-style, `http://127.0.0.1:port/<account>/`). A
 * regenerated key is live in Azurite before the response is sent, and the old one is refused from then on.
 * Times come from the local Key Vault's clock, so key creation times and secret versions agree. No RBAC:
 * any ARM token may list and regenerate keys. The admin API (`/management/storage/accounts`, no token) adds
 * accounts, which ARM cannot here (no storage account PUT).
 */
import { DEV_ACCOUNT, type LocalStorageAccount, type RunningAzurite, type StorageAccountKey, type StorageKeyName } from "../azurite.js";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../localKeyVault.js";
import { checkScope, resourceNotFound } from "./armScope.js";
import { CloudError, type CloudRequest, type CloudRoute } from "./host.js";

const ACCOUNT_PATH = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Storage/storageAccounts/{account}";
const LOCATION = "local";

/** The resource id ARM gives an account of the local stack. */
export function localStorageAccountId(account: string): string {
  return `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}/providers/Microsoft.Storage/storageAccounts/${account}`;
}

/** The account the path names, after ARM's checks of subscription and resource group. */
function findAccount(azurite: RunningAzurite, request: CloudRequest): LocalStorageAccount {
  checkScope(request);
  const { resourceGroup, account } = request.params as Record<"resourceGroup" | "account", string>;
  const found = azurite.accounts.get(account);
  if (!found) throw resourceNotFound("Microsoft.Storage/storageAccounts", account, resourceGroup);
  return found;
}

/** The service answers `FULL` (the spec's examples write `Full`; the SDK passes the string through). */
function keysBody(account: LocalStorageAccount): { keys: (StorageAccountKey & { permissions: string })[] } {
  return { keys: account.keys.map((k) => ({ keyName: k.keyName, value: k.value, permissions: "FULL", creationTime: k.creationTime })) };
}

function accountBody(azurite: RunningAzurite, account: LocalStorageAccount): unknown {
  const endpoints = azurite.endpointsOf(account.name);
  return {
    id: localStorageAccountId(account.name),
    name: account.name,
    type: "Microsoft.Storage/storageAccounts",
    location: LOCATION,
    kind: "StorageV2",
    sku: { name: "Standard_LRS", tier: "Standard" },
    tags: {},
    properties: {
      provisioningState: "Succeeded",
      creationTime: account.creationTime,
      primaryLocation: LOCATION,
      statusOfPrimary: "available",
      // Azurite serves blob, queue and table only, over http.
      primaryEndpoints: { blob: `${endpoints.blob}/`, queue: `${endpoints.queue}/`, table: `${endpoints.table}/` },
      keyCreationTime: { key1: account.keys[0].creationTime, key2: account.keys[1].creationTime },
      allowSharedKeyAccess: true,
      supportsHttpsTrafficOnly: false,
      minimumTlsVersion: "TLS1_2",
      accessTier: "Hot",
    },
  };
}

function keyNameOf(body: unknown): StorageKeyName {
  const keyName = (body as { keyName?: unknown } | undefined)?.keyName;
  if (keyName === "key1" || keyName === "key2") return keyName;
  if (keyName === "kerb1" || keyName === "kerb2") {
    throw new CloudError(
      400,
      "InvalidRequestPropertyValue",
      "Kerberos keys need Active Directory authentication, which the local stack's accounts do not have.",
    );
  }
  throw new CloudError(400, "InvalidRequestPropertyValue", `keyName must be key1, key2, kerb1 or kerb2, got ${JSON.stringify(keyName ?? null)}.`);
}

/** The routes; `nowMs` is the clock key creation times are stamped with. */
export function storageArmRoutes(azurite: RunningAzurite, nowMs: () => number): CloudRoute[] {
  return [
    {
      api: "login",
      method: "GET",
      path: "/management/storage/accounts",
      handle: () => ({ body: azurite.accounts.names().map((name) => accountBody(azurite, azurite.accounts.get(name)!)) }),
    },
    {
      api: "login",
      method: "POST",
      path: "/management/storage/accounts",
      handle: async (request) => {
        const name = (request.body as { name?: unknown } | undefined)?.name;
        if (typeof name !== "string") throw new CloudError(400, "BadRequest", 'the body must be {"name": "<account>"}');
        try {
          return { status: 201, body: accountBody(azurite, await azurite.accounts.create(name, nowMs())) };
        } catch (error) {
          throw new CloudError(400, "BadRequest", (error as Error).message);
        }
      },
    },
    {
      api: "arm",
      method: "GET",
      path: ACCOUNT_PATH,
      handle: (request) => ({ body: accountBody(azurite, findAccount(azurite, request)) }),
    },
    {
      api: "arm",
      method: "POST",
      path: `${ACCOUNT_PATH}/listKeys`,
      handle: (request) => ({ body: keysBody(findAccount(azurite, request)) }),
    },
    {
      api: "arm",
      method: "POST",
      path: `${ACCOUNT_PATH}/regenerateKey`,
      handle: async (request) => {
        const account = findAccount(azurite, request);
        const keyName = keyNameOf(request.body);
        if (account.name === DEV_ACCOUNT) {
          // kvguard's own state storage signs with the well-known key.
          throw new CloudError(
            409,
            "OperationNotAllowed",
            `${DEV_ACCOUNT}'s keys stay Azurite's well-known development keys in the local stack; rotate another account.`,
          );
        }
        return { body: keysBody(await azurite.accounts.regenerate(account.name, keyName, nowMs())) };
      },
    },
  ];
}
