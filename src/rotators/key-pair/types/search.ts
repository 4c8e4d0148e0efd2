/**
 * @module Azure AI Search admin keys (`@azure/arm-search`): primary and secondary; validated with Get Service
 * Statistics (`GET /servicestats`, `api-key` header), which only an admin key may call.
 */
import { armCall, required } from "../armErrors.js";
import { keyCheck } from "../check.js";
import type { KeyPairType } from "../keyPairType.js";
import { armClient } from "../../armClient.js";

export const searchType: KeyPairType = {
  name: "search",
  label: "Azure AI Search service",
  shape: "Microsoft.Search/searchServices/<service name>",
  pattern: /^Microsoft\.Search\/searchServices\/(?<name>[^/]+)$/i,
  keyNames: { readWrite: ["primary", "secondary"] },
  connectionString: false,
  role: '"Search Service Contributor" on the service',
  async access(target, _keySet, runtime) {
    const client = await armClient(runtime, () => import("@azure/arm-search").then((m) => m.SearchManagementClient), target.subscriptionId);
    const { resourceGroup } = target;
    const name = target.parts.name!;
    const endpoint = async () => {
      const service = await armCall(target, "reading the service", () => client.services.get(resourceGroup, name));
      return (service.endpoint ?? `https://${name}.search.windows.net`).replace(/\/+$/, "");
    };
    return {
      async keys() {
        const keys = await armCall(target, "listing the admin keys", () => client.adminKeys.get(resourceGroup, name));
        return [
          { name: "primary", value: required(keys.primaryKey, "primaryKey", target) },
          { name: "secondary", value: required(keys.secondaryKey, "secondaryKey", target) },
        ];
      },
      async regenerate(keyName) {
        await armCall(target, `regenerating the ${keyName} admin key`, () =>
          client.adminKeys.regenerate(resourceGroup, name, keyName === "primary" ? "primary" : "secondary"),
        );
      },
      async describe() {
        return { endpoint: await endpoint() };
      },
      async validate(key) {
        await keyCheck(runtime.ca, "Azure AI Search", `${await endpoint()}/servicestats?api-version=2024-07-01`, { "api-key": key.value });
      },
    };
  },
};
