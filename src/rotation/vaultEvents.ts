/**
 * @module Key Vault's Event Grid events as the rotation engine accepts them: near-expiry and expiry of
 * secrets, keys and certificates, from vaults kvguard manages (checked against `topic`), in the Event Grid or CloudEvents
 * schema with PascalCase `data` as Key Vault sends it. Anything else is ignored or rejected with a reason.
 */
import { z } from "zod";

export const ROTATION_EVENT_TYPES = [
  "Microsoft.KeyVault.SecretNearExpiry",
  "Microsoft.KeyVault.SecretExpired",
  "Microsoft.KeyVault.KeyNearExpiry",
  "Microsoft.KeyVault.KeyExpired",
  "Microsoft.KeyVault.CertificateNearExpiry",
  "Microsoft.KeyVault.CertificateExpired",
] as const;

const data = z.object({
  VaultName: z.string().min(1),
  ObjectType: z.string().min(1),
  ObjectName: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, "is not a Key Vault object name"),
  Version: z.string().min(1),
});

const eventGridEvent = z.object({
  id: z.string().min(1),
  eventType: z.string().min(1),
  topic: z.string().min(1),
  subject: z.string(),
  data: z.unknown(),
});

const cloudEvent = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  source: z.string().min(1),
  specversion: z.string(),
  data: z.unknown(),
});

export interface VaultEvent {
  id: string;
  type: string;
  /** The vault name from the topic's resource id. */
  topicVault: string;
  kind: "secret" | "key" | "certificate";
  name: string;
  version: string;
}

export type EventParse = { ok: true; event: VaultEvent } | { ok: false; ignored: boolean; reason: string; id?: string };

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join(".") || "event"}: ${issue.message}`;
}

export function parseVaultEvent(input: unknown): EventParse {
  const grid = eventGridEvent.safeParse(input);
  const cloud = grid.success ? undefined : cloudEvent.safeParse(input);
  if (!grid.success && !cloud?.success) {
    return { ok: false, ignored: false, reason: `not an Event Grid or CloudEvents event: ${firstIssue(grid.error)}` };
  }
  const envelope = grid.success
    ? { id: grid.data.id, type: grid.data.eventType, topic: grid.data.topic, data: grid.data.data }
    : { id: cloud!.data!.id, type: cloud!.data!.type, topic: cloud!.data!.source, data: cloud!.data!.data };
  if (!(ROTATION_EVENT_TYPES as readonly string[]).includes(envelope.type)) {
    return { ok: false, ignored: true, id: envelope.id, reason: `${envelope.type} does not trigger rotation` };
  }
  const topicVault = /\/providers\/microsoft\.keyvault\/vaults\/([^/]+)$/i.exec(envelope.topic)?.[1];
  if (!topicVault) return { ok: false, ignored: false, id: envelope.id, reason: `topic ${envelope.topic} is not a Key Vault resource id` };
  const parsed = data.safeParse(envelope.data);
  if (!parsed.success) return { ok: false, ignored: false, id: envelope.id, reason: `event data: ${firstIssue(parsed.error)}` };
  return {
    ok: true,
    event: {
      id: envelope.id,
      type: envelope.type,
      topicVault,
      // "Microsoft.KeyVault.SecretNearExpiry" contains ".Key" too: compare the event name after the prefix.
      kind: envelope.type.startsWith("Microsoft.KeyVault.Key") ? "key" : envelope.type.startsWith("Microsoft.KeyVault.Certificate") ? "certificate" : "secret",
      name: parsed.data.ObjectName,
      version: parsed.data.Version,
    },
  };
}
