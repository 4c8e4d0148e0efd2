/**
 * @module `storage-account`: a storage account's access keys, alternating key1 and key2 as Microsoft's
 * sample does (`CredentialId` names the key in use; `ProviderAddress` is the account's resource id).
 *
 *   create: regenerate the key NOT in use (through ARM), so the one consumers hold keeps working
 *   set:    nothing to apply (the account made the key); checks the account still holds it
 *   test:   a real Blob service call signed with the key
 *   revoke: nothing: the old key stays valid until the next rotation regenerates it (the grace period)
 *
 * Crash safety: the new key exists at the account before kvguard can persist it. A run killed in between
 * leaves the alternate key newer than the key in use, which no finished rotation does; the rerun adopts that
 * key from listKeys instead of regenerating again, so no credential is lost and none is made twice.
 */
import type { Credential, RotatorContext, SecretRotator } from "../types.js";
import { parseStorageAccountAddress, type StorageAccountAddress } from "./address.js";
import { StorageArm, type AccountKeys, type KeyName } from "./arm.js";
import { proveKey } from "./dataPlane.js";
import { storageAccountOptions, type StorageAccountOptions } from "./options.js";
import { keyOf } from "../key-pair/value.js";
import { renderValue } from "./value.js";

/** Said in history and alerts whenever a key is regenerated. */
export const SAS_WARNING = "account SAS tokens signed with the regenerated key stop working";

const other = (key: KeyName): KeyName => (key === "key1" ? "key2" : "key1");

function options(ctx: RotatorContext): StorageAccountOptions {
  return ctx.options as StorageAccountOptions;
}

function target(ctx: RotatorContext): { address: StorageAccountAddress; arm: StorageArm } {
  const address = parseStorageAccountAddress(ctx.providerAddress);
  return { address, arm: new StorageArm(address, ctx.runtime) };
}

/** Which key a value holds, by comparing with the account's keys (never by trusting a tag alone). */
function keyInUse(ctx: RotatorContext, keys: AccountKeys, value: string, account: string): KeyName {
  const key = keyOf(value);
  const found: KeyName | undefined = keys.key1.value === key ? "key1" : keys.key2.value === key ? "key2" : undefined;
  if (!found) {
    throw new Error(
      `the secret's current value is neither key1 nor key2 of storage account ${account}: seed it with the key in use and set CredentialId to key1 or key2`,
    );
  }
  const tagged = ctx.credentialId?.toLowerCase();
  if (tagged !== undefined && tagged !== "key1" && tagged !== "key2") {
    throw new Error(`CredentialId "${ctx.credentialId}" is not key1 or key2 (the storage-account rotator alternates the account's two keys)`);
  }
  if (tagged !== undefined && tagged !== found) ctx.log(`CredentialId says ${tagged}, but the secret holds ${found}; kvguard goes by the value`);
  return found;
}

/** The alternate key was made after the key in use: an interrupted rotation (or a person) regenerated it. */
function regeneratedSince(keys: AccountKeys, inUse: KeyName): boolean {
  const alternate = keys[other(inUse)].creationTime?.getTime();
  const current = keys[inUse].creationTime?.getTime();
  return alternate !== undefined && current !== undefined && alternate > current;
}

export const storageAccountRotator: SecretRotator = {
  name: "storage-account",
  credentials: "dual",
  rotationWarning: SAS_WARNING,
  parseOptions(raw) {
    const parsed = storageAccountOptions.safeParse(raw);
    if (!parsed.success) throw new Error(`storage-account rotator options: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    return parsed.data;
  },

  /** The account whose keys are regenerated, and the blob endpoint named by the options (if any). */
  targets(ctx) {
    const { address } = target(ctx);
    const blobEndpoint = options(ctx).blobEndpoint;
    return Promise.resolve([{ kind: "storage-account" as const, id: address.id, ...(blobEndpoint !== undefined ? { blobEndpoint } : {}) }]);
  },

  async create(ctx, current) {
    const { address, arm } = target(ctx);
    let keys = await arm.keys();
    const inUse = keyInUse(ctx, keys, current.value, address.account);
    const next = other(inUse);
    if (regeneratedSince(keys, inUse)) {
      ctx.log(
        `${next} of ${address.account} is newer than ${inUse}, the key in use (an interrupted rotation regenerated it): kvguard takes it as the new key instead of regenerating again`,
      );
    } else {
      keys = await arm.regenerate(next);
      ctx.log(`regenerated ${next} of storage account ${address.account}; ${inUse} stays valid until the next rotation`);
    }
    const value = renderValue(options(ctx).format, { account: address.account, keyName: next, key: keys[next].value, endpoints: await arm.endpoints() });
    return { value, metadata: { credentialId: next } };
  },

  async set(ctx, pending) {
    const { address, arm } = target(ctx);
    const keyName = pending.metadata.credentialId as KeyName | undefined;
    if (keyName !== "key1" && keyName !== "key2") throw new Error("the pending credential does not say which key it is (metadata credentialId)");
    const keys = await arm.keys();
    if (keys[keyName].value !== keyOf(pending.value)) {
      // Storage makes its keys; kvguard cannot put this one back. Closing the pending credential starts afresh.
      throw new Error(
        `${keyName} of storage account ${address.account} was regenerated again since this rotation began, so the pending key is gone; disable the open version of ${ctx.secretName}--kvguard-pending to start a new rotation`,
      );
    }
  },

  async test(ctx, credential: Credential, which) {
    const { address, arm } = target(ctx);
    const endpoint = options(ctx).blobEndpoint ?? (await arm.endpoints()).blob;
    if (!endpoint) throw new Error(`storage account ${address.account} has no blob endpoint to validate against; set the rotator option blobEndpoint`);
    const keyName = which === "pending" ? (credential.metadata.credentialId ?? "the new key") : (ctx.credentialId ?? "the current key");
    await proveKey(endpoint.replace(/\/+$/, ""), address.account, keyName, keyOf(credential.value));
  },

  async checkManager(ctx) {
    const { address, arm } = target(ctx);
    await arm.keys();
    return `kvguard's identity may list the keys of storage account ${address.account} (what regenerating needs)`;
  },

  revoke(ctx, previous) {
    // Microsoft's model: the previous key is the alternate, regenerated (and so revoked) by the next rotation.
    ctx.log(`${previous.metadata.credentialId ?? "the previous key"} stays valid until the next rotation regenerates it`);
    return Promise.resolve();
  },
};
