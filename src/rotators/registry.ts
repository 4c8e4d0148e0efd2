/** @module Rotators by name. Adding one means adding its folder and one line here; the engine never changes. */
import { mysqlRotator } from "./mysql/index.js";
import { postgresRotator } from "./postgres/index.js";
import { entraAppSecretRotator } from "./entra-app-secret/index.js";
import { keyPairRotator } from "./key-pair/index.js";
import { randomRotator } from "./random/index.js";
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

export function findRotator(name: string): SecretRotator | undefined {
  return rotators.get(name);
}

export function rotatorNames(): string[] {
  return [...rotators.keys()];
}

/** Registers a rotator (tests and extensions); a name can be taken once. */
export function registerRotator(rotator: SecretRotator): void {
  if (rotators.has(rotator.name)) throw new Error(`a rotator named ${rotator.name} is already registered`);
  rotators.set(rotator.name, rotator);
}
