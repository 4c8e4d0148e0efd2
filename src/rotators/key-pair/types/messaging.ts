/**
 * @module Service Bus (`@azure/arm-servicebus`) and Event Hubs (`@azure/arm-eventhub`) shared access keys: a
 * namespace's authorization rule, or a queue's, topic's or event hub's. Keys and connection strings come
 * from listKeys; a key is validated by reading the entity (or the namespace's info) with a SAS token made
 * from it, which needs the rule's Manage claim.
 */
import { createHmac } from "node:crypto";
import type { AccessKeys } from "@azure/arm-servicebus";
import { armCall, required } from "../armErrors.js";
import { keyCheck } from "../check.js";
import type { KeyPairAccess, KeyPairType, ResolvedTarget } from "../keyPairType.js";
import type { RotatorRuntime } from "../../types.js";
import { armClient } from "../../armClient.js";

/** A SAS token for `resource`, valid for five minutes (Service Bus and Event Hubs' shared access signature). */
export function sasToken(resource: string, ruleName: string, key: string): string {
  const sr = encodeURIComponent(resource);
  const se = Math.floor(Date.now() / 1000) + 300;
  const sig = encodeURIComponent(createHmac("sha256", key).update(`${sr}\n${se}`).digest("base64"));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${se}&skn=${encodeURIComponent(ruleName)}`;
}

interface RuleApi {
  listKeys(): Promise<AccessKeys>;
  regenerate(keyType: "PrimaryKey" | "SecondaryKey"): Promise<unknown>;
  endpoint(): Promise<string | undefined>;
}

function access(target: ResolvedTarget, runtime: RotatorRuntime, label: string, rules: RuleApi): KeyPairAccess {
  const rule = target.parts.rule!;
  const entity = target.parts.entity;
  const pick = (keys: AccessKeys, which: "primary" | "secondary") => ({
    name: which,
    value: required(keys[`${which}Key`], `${which}Key`, target),
    connectionString: required(keys[`${which}ConnectionString`], `${which}ConnectionString`, target),
  });
  return {
    async keys() {
      const keys = await armCall(target, "listing the rule's keys", () => rules.listKeys());
      return [
        { name: "primary", value: pick(keys, "primary").value },
        { name: "secondary", value: pick(keys, "secondary").value },
      ];
    },
    async regenerate(keyName) {
      await armCall(target, `regenerating the ${keyName} key`, () => rules.regenerate(keyName === "primary" ? "PrimaryKey" : "SecondaryKey"));
    },
    async describe(key) {
      const keys = await armCall(target, "listing the rule's keys", () => rules.listKeys());
      const found = [pick(keys, "primary"), pick(keys, "secondary")].find((k) => k.value === key.value);
      return { endpoint: required(await rules.endpoint(), "serviceBusEndpoint", target), ...(found ? { connectionString: found.connectionString } : {}) };
    },
    async validate(key) {
      const base = required(await rules.endpoint(), "serviceBusEndpoint", target)
        .replace(/:443\//, "/")
        .replace(/\/+$/, "");
      const resource = `${base}/${entity ?? "$namespaceinfo"}`;
      await keyCheck(runtime.ca, label, `${resource}?api-version=2021-05`, { authorization: sasToken(entity ? resource : `${base}/`, rule, key.value) });
    },
  };
}

const ROLE = '"Contributor" (or a role with listKeys/regenerateKeys on authorization rules) on the namespace';

export const serviceBusType: KeyPairType = {
  name: "servicebus",
  label: "Service Bus authorization rule",
  shape: "Microsoft.ServiceBus/namespaces/<namespace>[/queues|topics/<name>]/authorizationRules/<rule>",
  pattern: /^Microsoft\.ServiceBus\/namespaces\/(?<name>[^/]+)(?:\/(?<collection>queues|topics)\/(?<entity>[^/]+))?\/authorizationRules\/(?<rule>[^/]+)$/i,
  keyNames: { readWrite: ["primary", "secondary"] },
  connectionString: true,
  role: ROLE,
  async access(target, _keySet, runtime) {
    const client = await armClient(runtime, () => import("@azure/arm-servicebus").then((m) => m.ServiceBusManagementClient), target.subscriptionId);
    const { resourceGroup } = target;
    const { name, collection, entity, rule } = target.parts;
    const endpoint = async () => (await armCall(target, "reading the namespace", () => client.namespaces.get(resourceGroup, name!))).serviceBusEndpoint;
    if (!entity) {
      return access(target, runtime, "Service Bus", {
        listKeys: () => client.namespaces.listKeys(resourceGroup, name!, rule!),
        regenerate: (keyType) => client.namespaces.regenerateKeys(resourceGroup, name!, rule!, { keyType }),
        endpoint,
      });
    }
    const entities = collection!.toLowerCase() === "queues" ? client.queues : client.topics;
    return access(target, runtime, "Service Bus", {
      listKeys: () => entities.listKeys(resourceGroup, name!, entity, rule!),
      regenerate: (keyType) => entities.regenerateKeys(resourceGroup, name!, entity, rule!, { keyType }),
      endpoint,
    });
  },
};

export const eventHubsType: KeyPairType = {
  name: "eventhubs",
  label: "Event Hubs authorization rule",
  shape: "Microsoft.EventHub/namespaces/<namespace>[/eventhubs/<event hub>]/authorizationRules/<rule>",
  pattern: /^Microsoft\.EventHub\/namespaces\/(?<name>[^/]+)(?:\/(?<collection>eventhubs)\/(?<entity>[^/]+))?\/authorizationRules\/(?<rule>[^/]+)$/i,
  keyNames: { readWrite: ["primary", "secondary"] },
  connectionString: true,
  role: ROLE,
  async access(target, _keySet, runtime) {
    const client = await armClient(runtime, () => import("@azure/arm-eventhub").then((m) => m.EventHubManagementClient), target.subscriptionId);
    const { resourceGroup } = target;
    const { name, entity, rule } = target.parts;
    const endpoint = async () => (await armCall(target, "reading the namespace", () => client.namespaces.get(resourceGroup, name!))).serviceBusEndpoint;
    if (!entity) {
      return access(target, runtime, "Event Hubs", {
        listKeys: () => client.namespaces.listKeys(resourceGroup, name!, rule!),
        regenerate: (keyType) => client.namespaces.regenerateKeys(resourceGroup, name!, rule!, { keyType }),
        endpoint,
      });
    }
    return access(target, runtime, "Event Hubs", {
      listKeys: () => client.eventHubs.listKeys(resourceGroup, name!, entity, rule!),
      regenerate: (keyType) => client.eventHubs.regenerateKeys(resourceGroup, name!, entity, rule!, { keyType }),
      endpoint,
    });
  },
};
