/**
 * @module Key Vault's Event Grid events as the emulator raises them, in the Event Grid schema with
 * PascalCase `data` (the wire shape; `@azure/eventgrid`'s camelCase types do not match it).
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";

export type ObjectType = "Secret" | "Key" | "Certificate";
export type ObjectEventKind = "NewVersionCreated" | "NearExpiry" | "Expired";

export interface KeyVaultEventData {
  Id: string;
  VaultName: string;
  ObjectType: string;
  ObjectName: string;
  Version: string;
  NBF: string | null;
  EXP: string | null;
}

export interface KeyVaultEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  data: KeyVaultEventData;
  dataVersion: "1";
  metadataVersion: "1";
}

export interface VaultRef {
  name: string;
  url: string;
  resourceId: string;
}

export class EventBus extends EventEmitter<{ event: [KeyVaultEvent] }> {
  publish(event: KeyVaultEvent): void {
    this.emit("event", event);
  }
}

function seconds(value: number | undefined): string | null {
  return value === undefined ? null : String(value);
}

export function objectEvent(
  vault: VaultRef,
  kind: ObjectEventKind,
  objectType: ObjectType,
  object: { name: string; version: string; nbf?: number; exp?: number },
  nowMs: number,
): KeyVaultEvent {
  const collection = `${objectType.toLowerCase()}s`;
  return {
    id: randomUUID(),
    topic: vault.resourceId,
    subject: object.name,
    eventType: `Microsoft.KeyVault.${objectType}${kind}`,
    eventTime: new Date(nowMs).toISOString(),
    data: {
      Id: `${vault.url}/${collection}/${object.name}/${object.version}`,
      VaultName: vault.name,
      ObjectType: objectType,
      ObjectName: object.name,
      Version: object.version,
      NBF: seconds(object.nbf),
      EXP: seconds(object.exp),
    },
    dataVersion: "1",
    metadataVersion: "1",
  };
}

export function accessPolicyChangedEvent(vault: VaultRef, nowMs: number): KeyVaultEvent {
  return {
    id: randomUUID(),
    topic: vault.resourceId,
    subject: vault.name,
    eventType: "Microsoft.KeyVault.VaultAccessPolicyChanged",
    eventTime: new Date(nowMs).toISOString(),
    data: { Id: vault.url, VaultName: vault.name, ObjectType: "Vault", ObjectName: vault.name, Version: "", NBF: null, EXP: null },
    dataVersion: "1",
    metadataVersion: "1",
  };
}
