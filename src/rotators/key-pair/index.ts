/**
 * @module `key-pair`: one rotator for every Azure resource with two interchangeable keys, driven by the
 * key-pair table (table.ts): storage accounts, Azure Cache for Redis, Cosmos DB, Service Bus and Event Hubs
 * rules, Azure AI services, AI Search, SignalR, Web PubSub, Event Grid topics, App Configuration.
 * `ProviderAddress` is the resource id (it picks the table row); the key in use is found by comparing the
 * secret's value with the listed keys (`CredentialId` names it, as for `storage-account`).
 *
 *   create: regenerate the key NOT in use (through the service's ARM SDK), so the one consumers hold keeps working
 *   set:    nothing to apply (the service made the key); checks the resource still holds it
 *   test:   the type's data-plane call with the key
 *   revoke: nothing: the old key stays valid until the next rotation regenerates it (the grace period)
 *
 * Crash safety: the new key exists at the service before kvguard can persist it. A write-ahead note (note.ts)
 * lets the rerun after a kill there adopt the regenerated key instead of regenerating again.
 */
import type { Credential, RotatorContext, SecretRotator } from "../types.js";
import type { KeyPairAccess, PairKey, ResolvedTarget } from "./keyPairType.js";
import { fingerprint, readNote, writeNote } from "./note.js";
import { keyPairOptions, type KeyPairOptions } from "./options.js";
import { keyPairTarget } from "./target.js";
import { keyIdOf, keyOf, renderValue } from "./value.js";

export { keyPairTarget, resolveKeyPairTarget } from "./target.js";

function options(ctx: RotatorContext): KeyPairOptions {
  return ctx.options as KeyPairOptions;
}

function open(ctx: RotatorContext): { target: ResolvedTarget; access: KeyPairAccess } {
  const target = keyPairTarget(ctx);
  const keySet = options(ctx).keys;
  if (!target.type.keyNames[keySet]) throw new Error(`${target.type.label} has no ${keySet} keys (rotator option keys)`);
  return { target, access: target.type.access(target, keySet, ctx.runtime) };
}

/** Which key of the pair a value holds, by comparing with the listed keys (never by trusting a tag alone). */
function inUseOf(ctx: RotatorContext, target: ResolvedTarget, keys: [PairKey, PairKey], value: string): { inUse: PairKey; next: PairKey } {
  const key = keyOf(value);
  const index = keys.findIndex((k) => k.value === key);
  const names = keys.map((k) => k.name).join(" and ");
  if (index < 0)
    throw new Error(
      `the secret's current value is neither ${names} of ${target.type.label} ${target.id}: seed it with the key in use and set CredentialId to its name`,
    );
  const inUse = keys[index]!;
  const tagged = ctx.credentialId;
  if (tagged !== undefined && !keys.some((k) => k.name.toLowerCase() === tagged.toLowerCase())) {
    throw new Error(`CredentialId "${tagged}" is not ${names} (the key-pair rotator alternates the ${target.type.label}'s two keys)`);
  }
  if (tagged !== undefined && tagged.toLowerCase() !== inUse.name.toLowerCase())
    ctx.log(`CredentialId says ${tagged}, but the secret holds ${inUse.name}; kvguard goes by the value`);
  return { inUse, next: keys[1 - index]! };
}

export const keyPairRotator: SecretRotator = {
  name: "key-pair",
  credentials: "dual",
  rotationWarning: "consumers still on the previous key stop working when the next rotation regenerates it",
  parseOptions(raw) {
    const parsed = keyPairOptions.safeParse(raw);
    if (!parsed.success) throw new Error(`key-pair rotator options: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    return parsed.data;
  },

  /** The resource whose keys are regenerated (the operator binds it: bindings.key-pair[].resources). */
  targets(ctx) {
    const target = keyPairTarget(ctx);
    return Promise.resolve([{ kind: "resource" as const, id: target.id, type: target.type.label }]);
  },

  async create(ctx, current) {
    const { target, access } = open(ctx);
    let keys = await access.keys();
    const { inUse, next } = inUseOf(ctx, target, keys, current.value);
    const note = await readNote(ctx.runtime, ctx.vault.name, ctx.secretName);
    const resumed =
      note !== undefined &&
      note.resourceId.toLowerCase() === target.id.toLowerCase() &&
      note.keyName === next.name &&
      note.inUse === fingerprint(target.id, inUse.value) &&
      note.before !== fingerprint(target.id, next.value);
    if (resumed) {
      ctx.log(
        `${next.name} of ${target.type.label} ${target.id} changed since kvguard noted it would regenerate it (an interrupted rotation): kvguard takes it as the new key instead of regenerating again`,
      );
    } else {
      await writeNote(ctx.runtime, ctx.vault.name, ctx.secretName, {
        resourceId: target.id,
        keyName: next.name,
        inUse: fingerprint(target.id, inUse.value),
        before: fingerprint(target.id, next.value),
      });
      await access.regenerate(next.name);
      keys = await access.keys();
      ctx.log(
        `regenerated ${next.name} of ${target.type.label} ${target.id}; ${inUse.name} stays valid until the next rotation${target.type.warning ? `; ${target.type.warning}` : ""}`,
      );
      if (keys.find((k) => k.name === inUse.name)?.value !== inUse.value)
        throw new Error(`${inUse.name}, the key in use, changed while kvguard regenerated ${next.name}: stopped`);
    }
    const made = keys.find((k) => k.name === next.name)!;
    const value = renderValue(options(ctx).format, target, made, await access.describe(made));
    return { value, metadata: { credentialId: made.name } };
  },

  async set(ctx, pending) {
    const { target, access } = open(ctx);
    const keyName = pending.metadata.credentialId;
    const listed = (await access.keys()).find((k) => k.name === keyName);
    if (!listed) throw new Error("the pending credential does not say which key it is (metadata credentialId)");
    if (listed.value !== keyOf(pending.value)) {
      // The service makes its keys; kvguard cannot put this one back. Closing the pending credential starts afresh.
      throw new Error(
        `${keyName} of ${target.type.label} ${target.id} was regenerated again since this rotation began, so the pending key is gone; disable the open version of ${ctx.secretName}--kvguard-pending to start a new rotation`,
      );
    }
  },

  async test(ctx, credential: Credential) {
    const { access } = open(ctx);
    const value = keyOf(credential.value);
    const listed = (await access.keys()).find((k) => k.value === value);
    const id = keyIdOf(credential.value);
    // A key the resource no longer lists is still tried, so the service itself refuses it.
    await access.validate(listed ?? { name: credential.metadata.credentialId ?? "the key", value, ...(id ? { id } : {}) });
  },

  async checkManager(ctx) {
    const { target, access } = open(ctx);
    await access.keys();
    return `kvguard's identity may list the keys of ${target.type.label} ${target.id} (what regenerating needs)`;
  },

  revoke(ctx, previous) {
    ctx.log(`${previous.metadata.credentialId ?? "the previous key"} stays valid until the next rotation regenerates it`);
    return Promise.resolve();
  },
};
