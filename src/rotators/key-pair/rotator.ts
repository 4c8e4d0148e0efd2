/**
 * @module The steps every key-pair rotator shares, whichever resources it takes: `key-pair` (the whole table)
 * or an alias bound to one type with its own name, options, value and trust binding (`storage-account`).
 *
 *   create: regenerate the key NOT in use (through the service's ARM SDK), so the one consumers hold keeps working
 *   set:    nothing to apply (the service made the key); checks the resource still holds it
 *   test:   the type's data-plane call with the key
 *   revoke: nothing: the old key stays valid until the next rotation regenerates it (the grace period)
 *
 * Crash safety: the new key exists at the service before kvguard can persist it. The rerun after a kill there
 * adopts the regenerated key instead of regenerating again when the write-ahead note (note.ts) says this
 * rotation regenerated it, or when the service dates its keys and the alternate is newer than the key in use
 * (which no finished rotation leaves).
 */
import type { Target } from "../../rotation/bindings.js";
import type { Credential, RotatorContext, SecretRotator } from "../types.js";
import type { KeyPairAccess, PairKey, ResolvedTarget } from "./keyPairType.js";
import { fingerprint, readNote, writeNote, type RegenerateNote } from "./note.js";
import type { ValueFormat } from "./options.js";
import { keyIdOf, keyOf } from "./value.js";

/** What tells one key-pair rotator from another. */
export interface KeyPairFlavour<O extends { format: ValueFormat }> {
  name: string;
  rotationWarning: string;
  /** Checks the policy's options; returns the zod issues' messages when they do not parse. */
  parseOptions(raw: Record<string, unknown>): { data: O } | { problems: string[] };
  /** The resource `ProviderAddress` names, with this rotator's messages for a wrong one. */
  resolve(ctx: RotatorContext): ResolvedTarget;
  /** The resource as messages name it. */
  named(target: ResolvedTarget): string;
  /** The resource's keys as the options pick them (a key set, a validation endpoint). */
  access(target: ResolvedTarget, options: O, ctx: RotatorContext): Promise<KeyPairAccess>;
  /** What the operator's bindings are checked against. */
  targets(target: ResolvedTarget, options: O): Target[];
  /** The secret's value for a key in the chosen format. */
  render(options: O, target: ResolvedTarget, key: PairKey, described: { endpoint?: string; connectionString?: string }): string;
}

/** Which key of the pair a value holds, by comparing with the listed keys (never by trusting a tag alone). */
function inUseOf(
  ctx: RotatorContext,
  flavour: Pick<KeyPairFlavour<never>, "name" | "named">,
  target: ResolvedTarget,
  keys: [PairKey, PairKey],
  value: string,
): { inUse: PairKey; next: PairKey } {
  const key = keyOf(value);
  const index = keys.findIndex((k) => k.value === key);
  const [a, b] = keys.map((k) => k.name);
  if (index < 0)
    throw new Error(
      `the secret's current value is neither ${a} nor ${b} of ${flavour.named(target)}: seed it with the key in use and set CredentialId to its name`,
    );
  const inUse = keys[index]!;
  const tagged = ctx.credentialId;
  if (tagged !== undefined && !keys.some((k) => k.name.toLowerCase() === tagged.toLowerCase())) {
    throw new Error(`CredentialId "${tagged}" is not ${a} or ${b} (the ${flavour.name} rotator alternates the ${target.type.label}'s two keys)`);
  }
  if (tagged !== undefined && tagged.toLowerCase() !== inUse.name.toLowerCase())
    ctx.log(`CredentialId says ${tagged}, but the secret holds ${inUse.name}; kvguard goes by the value`);
  return { inUse, next: keys[1 - index]! };
}

/** Why the alternate key is taken as this rotation's new key without regenerating, if it is. */
function interrupted(note: RegenerateNote | undefined, target: ResolvedTarget, inUse: PairKey, next: PairKey): string | undefined {
  if (
    note !== undefined &&
    note.resourceId.toLowerCase() === target.id.toLowerCase() &&
    note.keyName === next.name &&
    note.inUse === fingerprint(target.id, inUse.value) &&
    note.before !== fingerprint(target.id, next.value)
  )
    return "changed since kvguard noted it would regenerate it";
  if (next.created !== undefined && inUse.created !== undefined && next.created > inUse.created) return `is newer than ${inUse.name}, the key in use`;
  return undefined;
}

export function createKeyPairRotator<O extends { format: ValueFormat }>(flavour: KeyPairFlavour<O>): SecretRotator {
  const options = (ctx: RotatorContext) => ctx.options as O;
  const open = async (ctx: RotatorContext): Promise<{ target: ResolvedTarget; access: KeyPairAccess }> => {
    const target = flavour.resolve(ctx);
    return { target, access: await flavour.access(target, options(ctx), ctx) };
  };
  return {
    name: flavour.name,
    credentials: "dual",
    rotationWarning: flavour.rotationWarning,
    parseOptions(raw) {
      const parsed = flavour.parseOptions(raw);
      if ("problems" in parsed) throw new Error(`${flavour.name} rotator options: ${parsed.problems.join("; ")}`);
      return parsed.data;
    },

    targets(ctx) {
      return Promise.resolve(flavour.targets(flavour.resolve(ctx), options(ctx)));
    },

    async create(ctx, current) {
      const { target, access } = await open(ctx);
      let keys = await access.keys();
      const { inUse, next } = inUseOf(ctx, flavour, target, keys, current.value);
      const why = interrupted(await readNote(ctx.runtime, ctx.vault.name, ctx.secretName), target, inUse, next);
      if (why) {
        ctx.log(`${next.name} of ${flavour.named(target)} ${why} (an interrupted rotation): kvguard takes it as the new key instead of regenerating again`);
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
          `regenerated ${next.name} of ${flavour.named(target)}; ${inUse.name} stays valid until the next rotation${target.type.warning ? `; ${target.type.warning}` : ""}`,
        );
        if (keys.find((k) => k.name === inUse.name)?.value !== inUse.value)
          throw new Error(`${inUse.name}, the key in use, changed while kvguard regenerated ${next.name}: stopped`);
      }
      const made = keys.find((k) => k.name === next.name)!;
      const value = flavour.render(options(ctx), target, made, await access.describe(made));
      return { value, metadata: { credentialId: made.name } };
    },

    async set(ctx, pending) {
      const { target, access } = await open(ctx);
      const keyName = pending.metadata.credentialId;
      const listed = (await access.keys()).find((k) => k.name === keyName);
      if (!listed) throw new Error("the pending credential does not say which key it is (metadata credentialId)");
      if (listed.value !== keyOf(pending.value)) {
        // The service makes its keys; kvguard cannot put this one back. Closing the pending credential starts afresh.
        throw new Error(
          `${keyName} of ${flavour.named(target)} was regenerated again since this rotation began, so the pending key is gone; disable the open version of ${ctx.secretName}--kvguard-pending to start a new rotation`,
        );
      }
    },

    async test(ctx, credential: Credential) {
      const { target, access } = await open(ctx);
      const value = keyOf(credential.value);
      const listed = target.type.checksKeyAlone ? undefined : (await access.keys()).find((k) => k.value === value);
      const id = keyIdOf(credential.value);
      // A key the resource no longer lists is still tried, so the service itself refuses it.
      await access.validate(listed ?? { name: credential.metadata.credentialId ?? "the key", value, ...(id ? { id } : {}) });
    },

    async checkManager(ctx) {
      const { target, access } = await open(ctx);
      await access.keys();
      return `kvguard's identity may list the keys of ${flavour.named(target)} (what regenerating needs)`;
    },

    revoke(ctx, previous) {
      ctx.log(`${previous.metadata.credentialId ?? "the previous key"} stays valid until the next rotation regenerates it`);
      return Promise.resolve();
    },
  };
}
