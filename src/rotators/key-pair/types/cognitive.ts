/**
 * @module Azure AI services and Azure OpenAI accounts (`@azure/arm-cognitiveservices`): Key1 and Key2; validated
 * with Azure OpenAI's Models - List (`GET openai/models`, `api-key` header). No connection string: consumers
 * use the endpoint and a key (`format: json` carries both).
 */
import { armCall, required } from "../armErrors.js";
import { keyCheck } from "../check.js";
import type { KeyPairType } from "../keyPairType.js";
import { armClient } from "../../armClient.js";

export const cognitiveType: KeyPairType = {
  name: "cognitive",
  label: "Azure AI services account",
  shape: "Microsoft.CognitiveServices/accounts/<account name>",
  pattern: /^Microsoft\.CognitiveServices\/accounts\/(?<name>[^/]+)$/i,
  keyNames: { readWrite: ["key1", "key2"] },
  connectionString: false,
  role: '"Cognitive Services Contributor" on the account',
  async access(target, _keySet, runtime) {
    const client = await armClient(
      runtime,
      () => import("@azure/arm-cognitiveservices").then((m) => m.CognitiveServicesManagementClient),
      target.subscriptionId,
    );
    const { resourceGroup } = target;
    const name = target.parts.name!;
    const endpoint = async () =>
      required((await armCall(target, "reading the account", () => client.accounts.get(resourceGroup, name))).properties?.endpoint, "endpoint", target);
    return {
      async keys() {
        const keys = await armCall(target, "listing the keys", () => client.accounts.listKeys(resourceGroup, name));
        return [
          { name: "key1", value: required(keys.key1, "key1", target) },
          { name: "key2", value: required(keys.key2, "key2", target) },
        ];
      },
      async regenerate(keyName) {
        await armCall(target, `regenerating ${keyName}`, () => client.accounts.regenerateKey(resourceGroup, name, keyName === "key1" ? "Key1" : "Key2"));
      },
      async describe() {
        return { endpoint: await endpoint() };
      },
      async validate(key) {
        const url = (await endpoint()).replace(/\/+$/, "");
        await keyCheck(runtime.ca, "Azure AI services", `${url}/openai/models?api-version=2024-10-21`, { "api-key": key.value });
      },
    };
  },
};
