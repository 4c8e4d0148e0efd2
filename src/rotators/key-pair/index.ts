/**
 * @module `key-pair`: one rotator for every Azure resource with two interchangeable keys, driven by the
 * key-pair table (table.ts): storage accounts, Azure Cache for Redis, Cosmos DB, Service Bus and Event Hubs
 * rules, Azure AI services, AI Search, SignalR, Web PubSub, Event Grid topics, App Configuration.
 * `ProviderAddress` is the resource id (it picks the table row); the key in use is found by comparing the
 * secret's value with the listed keys (`CredentialId` names it). Its steps and crash safety are rotator.ts's,
 * shared with the aliases bound to one type (`storage-account`).
 */
import { keyPairOptions, type KeyPairOptions } from "./options.js";
import { createKeyPairRotator } from "./rotator.js";
import { keyPairTarget } from "./target.js";
import { renderValue } from "./value.js";

export { keyPairTarget, resolveKeyPairTarget } from "./target.js";

export const keyPairRotator = createKeyPairRotator<KeyPairOptions>({
  name: "key-pair",
  rotationWarning: "consumers still on the previous key stop working when the next rotation regenerates it",
  parseOptions(raw) {
    const parsed = keyPairOptions.safeParse(raw);
    return parsed.success ? { data: parsed.data } : { problems: parsed.error.issues.map((i) => i.message) };
  },
  resolve: keyPairTarget,
  named: (target) => `${target.type.label} ${target.id}`,
  async access(target, options, ctx) {
    if (!target.type.keyNames[options.keys]) throw new Error(`${target.type.label} has no ${options.keys} keys (rotator option keys)`);
    return target.type.access(target, options.keys, ctx.runtime);
  },
  /** The resource whose keys are regenerated (the operator binds it: bindings.key-pair[].resources). */
  targets: (target) => [{ kind: "resource" as const, id: target.id, type: target.type.label }],
  render: (options, target, key, described) => renderValue(options.format, target, key, described),
});
