/**
 * @module Rotators by name. Adding one means adding its folder and one line here; the engine never changes.
 * Secret rotators carry a credential through create, set and test; native rotators (keys, certificates) ask
 * Key Vault for a new version of its own object (native.ts). Only the app imports this file: it builds the
 * `Rotators` value (rotators.ts) once and hands it to the domains.
 */
import { mysqlRotator } from "./mysql/index.js";
import { postgresRotator } from "./postgres/index.js";
import { entraAppSecretRotator } from "./entra-app-secret/index.js";
import { keyPairRotator } from "./key-pair/index.js";
import { keyVaultCertificateRotator } from "./keyvault-certificate/index.js";
import { keyVaultKeyRotator } from "./keyvault-key/index.js";
import type { NativeKind, NativeRotator } from "./native.js";
import { randomRotator } from "./random/index.js";
import type { Rotators } from "./rotators.js";
import { storageAccountRotator } from "./storage-account/index.js";
import { sqlServerRotator } from "./sqlserver/index.js";
import type { SecretRotator } from "./types.js";

const rotators = new Map<string, SecretRotator>([
  [randomRotator.name, randomRotator],
  [postgresRotator.name, postgresRotator],
  [mysqlRotator.name, mysqlRotator],
  [sqlServerRotator.name, sqlServerRotator],
  [entraAppSecretRotator.name, entraAppSecretRotator],
  [storageAccountRotator.name, storageAccountRotator],
  [keyPairRotator.name, keyPairRotator],
]);

const natives = new Map<string, NativeRotator>([
  [keyVaultKeyRotator.name, keyVaultKeyRotator],
  [keyVaultCertificateRotator.name, keyVaultCertificateRotator],
]);

export function findRotator(name: string): SecretRotator | undefined {
  return rotators.get(name);
}

export function rotatorNames(): string[] {
  return [...rotators.keys()];
}

/** The native rotators that may manage objects of a kind. */
export function nativeRotatorsFor(kind: NativeKind): NativeRotator[] {
  return [...natives.values()].filter((r) => r.kind === kind);
}

export function nativeRotatorNames(): string[] {
  return [...natives.keys()];
}

/** The object kinds native rotators manage, each once (the sweep lists each kind with its first rotator). */
export function nativeKinds(): NativeRotator[] {
  const byKind = new Map<NativeKind, NativeRotator>();
  for (const r of natives.values()) if (!byKind.has(r.kind)) byKind.set(r.kind, r);
  return [...byKind.values()];
}

/** Registers a rotator (tests and extensions); a name can be taken once, across both families. */
export function registerRotator(rotator: SecretRotator | NativeRotator): void {
  if (rotators.has(rotator.name) || natives.has(rotator.name)) throw new Error(`a rotator named ${rotator.name} is already registered`);
  if ("kind" in rotator) natives.set(rotator.name, rotator);
  else rotators.set(rotator.name, rotator);
}

/** The registry as the app hands it over; it reads the lists live, so a rotator registered later is found. */
export function createRotators(): Rotators {
  return { secret: findRotator, secretNames: rotatorNames, native: nativeRotatorsFor, nativeKinds };
}
