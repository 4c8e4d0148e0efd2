/**
 * @module The rotators a run may use, as the app hands them to the domains (built from registry.ts, which
 * only the app imports): secret rotators by name, native rotators by the kind of object they manage.
 */
import type { NativeKind, NativeRotator } from "./native.js";
import type { SecretRotator } from "./types.js";

export interface Rotators {
  /** The secret rotator a policy names. */
  secret(name: string): SecretRotator | undefined;
  /** Every secret rotator's name, for the problem an unknown one makes. */
  secretNames(): string[];
  /** The native rotators that may manage objects of a kind. */
  native(kind: NativeKind): NativeRotator[];
  /** The object kinds native rotators manage, each once with its first rotator (the sweep lists each kind). */
  nativeKinds(): NativeRotator[];
}
