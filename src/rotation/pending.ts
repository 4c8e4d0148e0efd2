/**
 * @module The pending credential, persisted before it is applied anywhere: a companion secret
 * `<name>--kvguard-pending` in the same vault, never a version of the live secret (a disabled or untested
 * latest version would break every consumer). Its tags say which live version it replaces and how far the
 * rotation got; once finished, its version is disabled and tagged `finished`, so a crash anywhere leaves
 * either an open pending credential to roll forward with, or none.
 */
import type { SecretClient } from "@azure/keyvault-secrets";
import { statusOf } from "../common/errors.js";
import type { Credential } from "../rotators/types.js";

export const PENDING_SUFFIX = "--kvguard-pending";
const MAX_NAME = 127;

export const PENDING_TAGS = {
  pendingFor: "kvguard-pending-for",
  baseVersion: "kvguard-base-version",
  rotationId: "kvguard-rotation-id",
  step: "kvguard-step",
  metadata: "kvguard-metadata",
  /** What the credential replaced held, as kvguard identified it from the proven value: what revoke acts on. */
  replaces: "kvguard-replaces",
  state: "kvguard-state",
} as const;

export type PendingStep = "created" | "set" | "tested";

export interface Pending extends Credential {
  /** The pending secret's version. */
  version: string;
  /** The live version this credential replaces. */
  baseVersion: string;
  rotationId: string;
  step: PendingStep;
  /** The replaced credential's metadata as kvguard recorded it at create time. */
  replaces: Record<string, string>;
  /** The pending version's tags as stored, so a step can update them without reading the value again. */
  tags: Record<string, string>;
}

export function pendingName(name: string): string {
  const pending = `${name}${PENDING_SUFFIX}`;
  if (pending.length > MAX_NAME) {
    throw new Error(`secret name ${name} is too long for kvguard's pending companion (${MAX_NAME - PENDING_SUFFIX.length} characters at most)`);
  }
  return pending;
}

export function isPendingName(name: string): boolean {
  return name.toLowerCase().endsWith(PENDING_SUFFIX);
}

export class PendingStore {
  constructor(readonly secrets: SecretClient) {}

  /** The open pending credential for `name`, or undefined when there is none (absent or finished). */
  async read(name: string): Promise<Pending | undefined> {
    let secret;
    try {
      secret = await this.secrets.getSecret(pendingName(name));
    } catch (error) {
      // 404: never rotated; 403: the latest version is disabled, i.e. finished.
      if (statusOf(error) === 404 || statusOf(error) === 403) return undefined;
      throw error;
    }
    const tags = secret.properties.tags ?? {};
    if (tags[PENDING_TAGS.state] !== "open" || secret.value === undefined) return undefined;
    return {
      value: secret.value,
      metadata: JSON.parse(tags[PENDING_TAGS.metadata] ?? "{}") as Record<string, string>,
      replaces: JSON.parse(tags[PENDING_TAGS.replaces] ?? "{}") as Record<string, string>,
      version: secret.properties.version!,
      baseVersion: tags[PENDING_TAGS.baseVersion] ?? "",
      rotationId: tags[PENDING_TAGS.rotationId] ?? "",
      step: (tags[PENDING_TAGS.step] as PendingStep | undefined) ?? "created",
      tags,
    };
  }

  async write(
    name: string,
    credential: Credential,
    info: { baseVersion: string; rotationId: string; replaces: Record<string, string>; contentType?: string },
  ): Promise<Pending> {
    const metadata = JSON.stringify(credential.metadata);
    const replaces = JSON.stringify(info.replaces);
    if (metadata.length > 256 || replaces.length > 256) throw new Error("the rotator's metadata does not fit in a Key Vault tag (256 characters)");
    const tags = {
      [PENDING_TAGS.pendingFor]: name,
      [PENDING_TAGS.baseVersion]: info.baseVersion,
      [PENDING_TAGS.rotationId]: info.rotationId,
      [PENDING_TAGS.step]: "created",
      [PENDING_TAGS.metadata]: metadata,
      [PENDING_TAGS.replaces]: replaces,
      [PENDING_TAGS.state]: "open",
    };
    const stored = await this.secrets.setSecret(pendingName(name), credential.value, {
      ...(info.contentType !== undefined ? { contentType: info.contentType } : {}),
      tags,
    });
    return {
      ...credential,
      version: stored.properties.version!,
      baseVersion: info.baseVersion,
      rotationId: info.rotationId,
      step: "created",
      replaces: info.replaces,
      tags,
    };
  }

  async mark(name: string, pending: Pending, step: PendingStep): Promise<void> {
    await this.#tag(name, pending, { [PENDING_TAGS.step]: step });
    pending.step = step;
  }

  /** Closes the pending credential: disabled, so its value is no longer served, and tagged with why. */
  async close(name: string, pending: Pending, state: "finished" | "abandoned"): Promise<void> {
    await this.#tag(name, pending, { [PENDING_TAGS.state]: state }, false);
  }

  async #tag(name: string, pending: Pending, changes: Record<string, string>, enabled = true): Promise<void> {
    pending.tags = { ...pending.tags, ...changes };
    await this.secrets.updateSecretProperties(pendingName(name), pending.version, { enabled, tags: pending.tags });
  }
}
