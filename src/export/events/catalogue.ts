/**
 * @module Every event type kvguard publishes: its CloudEvents `type`, the schema of its `data`, and the JSON
 * Schema file generated from it (`schemas/events/<file>.json`, checked against the zod by a test). A type's
 * schema changes only compatibly; a breaking change is a new `v`.
 */
import { z } from "zod";
import { certificateRenewed } from "./certificate.js";
import { expiryNotice } from "./expiry.js";
import { findingRaised } from "./finding.js";
import { reportReady } from "./report.js";
import { rotationAbandoned, rotationFailed, rotationRevoked, rotationStarted, rotationSucceeded } from "./rotation.js";

export const EVENT_CATALOGUE = {
  "Kvguard.Rotation.Started": { file: "rotation-started", schema: rotationStarted },
  "Kvguard.Rotation.Succeeded": { file: "rotation-succeeded", schema: rotationSucceeded },
  "Kvguard.Rotation.Failed": { file: "rotation-failed", schema: rotationFailed },
  "Kvguard.Rotation.Abandoned": { file: "rotation-abandoned", schema: rotationAbandoned },
  "Kvguard.Rotation.Revoked": { file: "rotation-revoked", schema: rotationRevoked },
  "Kvguard.Certificate.Renewed": { file: "certificate-renewed", schema: certificateRenewed },
  "Kvguard.Object.ExpiryNotice": { file: "expiry-notice", schema: expiryNotice },
  "Kvguard.Finding.Raised": { file: "finding-raised", schema: findingRaised },
  "Kvguard.Report.Ready": { file: "report-ready", schema: reportReady },
} as const;

export type EventType = keyof typeof EVENT_CATALOGUE;
export type EventData<T extends EventType> = z.output<(typeof EVENT_CATALOGUE)[T]["schema"]>;

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

/** The schema's version: the `dataschema` of each event names it. */
export const EVENT_SCHEMA_VERSION = 1;

/** The `dataschema` URI of a type: its JSON Schema's `$id`. */
export function dataSchemaUri(type: EventType): string {
  return `urn:kvguard:events:${EVENT_CATALOGUE[type].file}:v${EVENT_SCHEMA_VERSION}`;
}

/** A type's JSON Schema, as the committed file holds it. */
export function jsonSchemaOf(type: EventType): Record<string, unknown> {
  const schema = z.toJSONSchema(EVENT_CATALOGUE[type].schema, { target: "draft-2020-12", io: "output" }) as Record<string, unknown>;
  return { $id: dataSchemaUri(type), title: type, ...schema };
}
