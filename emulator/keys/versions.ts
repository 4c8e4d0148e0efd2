/** @module What creating, importing and rotating share: the name check and adding a new key version. */
import { assertObjectName, newVersion } from "../common/ids.js";
import { objectEvent } from "../events/bus.js";
import type { RouteContext, RouteResult } from "../http/route.js";
import { keyBundle, keyId } from "./mapper.js";
import type { KeyVersion } from "./model.js";
import { policies } from "./rotationPolicy.js";

export function keyName(ctx: RouteContext): string {
  const name = ctx.params.name!;
  assertObjectName("key", name);
  return name;
}

/** Stores the version, announces it (NewVersionCreated) and answers with its KeyBundle. */
export function addKeyVersion(ctx: RouteContext, name: string, fields: Omit<KeyVersion, "version">): RouteResult {
  const version: KeyVersion = { version: newVersion(), ...fields };
  const isNewKey = !ctx.vault.keys.has(name);
  const entry = ctx.vault.keys.addVersion(name, version);
  // A purged key's policy must not carry over to a new key of the same name.
  if (isNewKey) policies.delete(ctx.vault, name);
  ctx.events.publish(objectEvent(ctx.vault, "NewVersionCreated", "Key", { name: entry.name, version: version.version, ...version.attributes }, ctx.nowMs));
  return { body: keyBundle(ctx.vault, entry.name, version), objectId: keyId(ctx.vault, entry.name, version.version), mutated: true };
}
