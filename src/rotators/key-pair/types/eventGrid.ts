/**
 * @module Event Grid custom topics (`@azure/arm-eventgrid`): key1 and key2. Event Grid topics have no read call
 * on their data plane, so a key is validated by publishing one event (type `kvguard.KeyCheck`, subject
 * `kvguard/key-check`) with `@azure/eventgrid`'s publisher client, in the topic's input schema; subscribers
 * that do not filter it receive it.
 */
import { statusOf } from "../../../common/errors.js";
import { armCall, required } from "../armErrors.js";
import { KeyRefused } from "../check.js";
import type { KeyPairType } from "../keyPairType.js";
import { armClient } from "../../armClient.js";

const EVENT = { type: "kvguard.KeyCheck", subject: "kvguard/key-check", data: { purpose: "kvguard checks a rotated access key" } };

export const eventGridType: KeyPairType = {
  name: "eventgrid",
  label: "Event Grid topic",
  shape: "Microsoft.EventGrid/topics/<topic name>",
  pattern: /^Microsoft\.EventGrid\/topics\/(?<name>[^/]+)$/i,
  keyNames: { readWrite: ["key1", "key2"] },
  connectionString: false,
  role: '"EventGrid Contributor" on the topic',
  warning: "SAS tokens made from the regenerated key stop working",
  async access(target, _keySet, runtime) {
    const client = await armClient(runtime, () => import("@azure/arm-eventgrid").then((m) => m.EventGridManagementClient), target.subscriptionId);
    const { resourceGroup } = target;
    const name = target.parts.name!;
    const topic = () => armCall(target, "reading the topic", () => client.topics.get(resourceGroup, name));
    return {
      async keys() {
        const keys = await armCall(target, "listing the access keys", () => client.topics.listSharedAccessKeys(resourceGroup, name));
        return [
          { name: "key1", value: required(keys.key1, "key1", target) },
          { name: "key2", value: required(keys.key2, "key2", target) },
        ];
      },
      async regenerate(keyName) {
        await armCall(target, `regenerating ${keyName}`, () => client.topics.beginRegenerateKeyAndWait(resourceGroup, name, { keyName }));
      },
      async describe() {
        return { endpoint: required((await topic()).endpoint, "endpoint", target) };
      },
      async validate(key) {
        const { endpoint, inputSchema } = await topic();
        const url = required(endpoint, "endpoint", target);
        const ca = runtime.ca;
        const options = { retryOptions: { maxRetries: 0 }, ...(ca ? { tlsOptions: { ca } } : {}) };
        const { AzureKeyCredential, EventGridPublisherClient } = await import("@azure/eventgrid");
        try {
          if (inputSchema === "CloudEventSchemaV1_0") {
            await new EventGridPublisherClient(url, "CloudEvent", new AzureKeyCredential(key.value), options).send([{ ...EVENT, source: target.id }]);
          } else {
            await new EventGridPublisherClient(url, "EventGrid", new AzureKeyCredential(key.value), options).send([
              { eventType: EVENT.type, subject: EVENT.subject, data: EVENT.data, dataVersion: "1.0" },
            ]);
          }
        } catch (error) {
          const status = statusOf(error);
          throw new KeyRefused(
            `Event Grid topic ${name}: publishing answered ${status ?? (error as Error).message.split("\n")[0]}${status === 401 || status === 403 ? ": the topic refused the key" : ""}`,
            { cause: error },
          );
        }
      },
    };
  },
};
