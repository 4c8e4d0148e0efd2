/**
 * @module Azure Cosmos DB (`@azure/arm-cosmosdb`): the read-write pair (primary, secondary) or the read-only pair
 * (primaryReadonly, secondaryReadonly); validated with List Databases (`GET /dbs`) signed with the key (a
 * master-key token).
 */
import { createHmac } from "node:crypto";
import { armCall, required } from "../armErrors.js";
import { keyCheck } from "../check.js";
import type { KeyPairType, PairKey } from "../keyPairType.js";
import { armClient } from "../../armClient.js";

/** The ARM names of each key, as listKeys returns them and regenerateKey's `keyKind` takes them. */
const FIELDS = {
  primary: "primaryMasterKey",
  secondary: "secondaryMasterKey",
  primaryReadonly: "primaryReadonlyMasterKey",
  secondaryReadonly: "secondaryReadonlyMasterKey",
} as const;
type CosmosKey = keyof typeof FIELDS;

/** The `authorization` header of a master-key request (Cosmos DB's REST access control). */
export function masterKeyToken(verb: string, resourceType: string, resourceLink: string, date: string, key: string): string {
  const payload = `${verb.toLowerCase()}\n${resourceType.toLowerCase()}\n${resourceLink}\n${date.toLowerCase()}\n\n`;
  const signature = createHmac("sha256", Buffer.from(key, "base64")).update(payload).digest("base64");
  return encodeURIComponent(`type=master&ver=1.0&sig=${signature}`);
}

export const cosmosType: KeyPairType = {
  name: "cosmos",
  label: "Azure Cosmos DB account",
  shape: "Microsoft.DocumentDB/databaseAccounts/<account name>",
  pattern: /^Microsoft\.DocumentDB\/databaseAccounts\/(?<name>[^/]+)$/i,
  keyNames: { readWrite: ["primary", "secondary"], readOnly: ["primaryReadonly", "secondaryReadonly"] },
  connectionString: true,
  role: '"Cosmos DB Account Contributor" on the account',
  async access(target, keySet, runtime) {
    const client = await armClient(runtime, () => import("@azure/arm-cosmosdb").then((m) => m.CosmosDBManagementClient), target.subscriptionId);
    const { resourceGroup } = target;
    const name = target.parts.name!;
    const endpoint = async () => {
      const account = await armCall(target, "reading the account", () => client.databaseAccounts.get(resourceGroup, name));
      return required(account.documentEndpoint, "documentEndpoint", target);
    };
    const names = cosmosType.keyNames[keySet]! as readonly [CosmosKey, CosmosKey];
    return {
      async keys() {
        const keys = await armCall(target, "listing the keys", () => client.databaseAccounts.listKeys(resourceGroup, name));
        const pick = (k: CosmosKey): PairKey => ({ name: k, value: required(keys[FIELDS[k]], FIELDS[k], target) });
        return [pick(names[0]), pick(names[1])];
      },
      async regenerate(keyName) {
        await armCall(target, `regenerating the ${keyName} key`, () =>
          client.databaseAccounts.beginRegenerateKeyAndWait(resourceGroup, name, { keyKind: keyName }),
        );
      },
      async describe(key) {
        const url = await endpoint();
        return { endpoint: url, connectionString: `AccountEndpoint=${url};AccountKey=${key.value};` };
      },
      async validate(key) {
        const url = (await endpoint()).replace(/\/+$/, "");
        const date = new Date().toUTCString();
        await keyCheck(runtime.ca, "Azure Cosmos DB", `${url}/dbs`, {
          authorization: masterKeyToken("GET", "dbs", "", date, key.value),
          "x-ms-date": date,
          "x-ms-version": "2018-12-31",
        });
      },
    };
  },
};
