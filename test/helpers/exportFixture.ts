/**
 * @module Records of every kind the export reads, made against a local stack: a real rotation (started,
 * succeeded), history rows for what a test cannot reach quickly (failed, abandoned, revoked, a skipped
 * check), two stored findings, an expiry notice from a real sweep and a real compliance report in the report
 * container. The export tests of both Event Grid transports start from it.
 */
import { InvocationContext, type Timer } from "@azure/functions";
import { TableClient } from "@azure/data-tables";
import { expect } from "vitest";
import type { Finding } from "../../src/audit/finding.js";
import { FINDINGS_TABLE as FINDINGS_STATE_TABLE, TableFindingStore } from "../../src/audit/store/findingStore.js";
import { createApp, useApp } from "../../src/app/index.js";
import { DAY_MS } from "../../src/common/duration.js";
import { EVENT_CATALOGUE, EVENT_TYPES, dataSchemaUri, type EventType } from "../../src/export/events/catalogue.js";
import { complianceReport } from "../../src/functions/complianceReport.js";
import { History, HISTORY_TABLE, type HistoryRow } from "../../src/rotation/history.js";
import type { LocalStack } from "./localStack.js";
import { kvguardSecrets, serviceFor, type Capture } from "./rotation.js";
import type { WebhookReceiver } from "./webhookReceiver.js";

/** The value the seeded rotation starts from: no event may carry it. */
export const SEEDED_VALUE = "initial-value-Rt5x";

export function finding(id: string, overrides: Partial<Finding> = {}): Finding {
  return {
    id,
    detector: "secret-enumeration",
    severity: "high",
    vault: "kv1",
    principal: { oid: "11111111-2222-3333-4444-555555555555", upn: "mallory@contoso.example" },
    ip: "203.0.113.7",
    object: "kv1/secret/db-password",
    start: "2026-03-01T10:00:00.000Z",
    end: "2026-03-01T10:05:00.000Z",
    count: 42,
    summary: "listed and read 42 secrets in 5 minutes",
    evidence: ["c0ffee00-0000-0000-0000-000000000001"],
    baseline: null,
    ...overrides,
  };
}

export function seeded(step: HistoryRow["step"], outcome: HistoryRow["outcome"], extra: Partial<HistoryRow> = {}): HistoryRow {
  return {
    vault: "kv1",
    name: "seeded-secret",
    rotationId: `r-${step}`,
    step,
    outcome,
    trigger: "schedule",
    message: `${step} ${outcome}`,
    at: "2026-03-02T08:00:00.000Z",
    ...extra,
  };
}

export function findingStore(stack: LocalStack): TableFindingStore {
  return new TableFindingStore(TableClient.fromConnectionString(stack.azurite.connectionString, FINDINGS_STATE_TABLE, { allowInsecureConnection: true }));
}

/** Seeds every kind of record; returns the history the tests add rows to. */
export async function seedExportRecords(stack: LocalStack, env: Record<string, string>, capture: Capture): Promise<History> {
  await kvguardSecrets(stack).setSecret("db-password", SEEDED_VALUE, { tags: { "kvguard-rotator": "random", "kvguard-options": "length=30" } });
  const service = await serviceFor(stack, capture);
  await service.rotateNow("local", "db-password");
  const history = new History(TableClient.fromConnectionString(stack.azurite.connectionString, HISTORY_TABLE, { allowInsecureConnection: true }));
  await history.record(seeded("test", "failed", { message: "the new credential was refused: 401" }));
  await history.record(seeded("abandon", "ok"));
  await history.record(seeded("revoke", "ok", { previousVersion: "0123456789abcdef0123456789abcdef" }));
  await history.record(seeded("check", "skipped"));
  await findingStore(stack).upsert([finding("f-1"), finding("f-2", { severity: "medium", object: undefined })]);
  // A secret no policy rotates that expires in 5 days: the rotation sweep announces its 7-day stage.
  await kvguardSecrets(stack).setSecret("expiring-api-key", "expiring-value-Qw8z", { expiresOn: new Date(stack.tv.kv.clock.nowMs() + 5 * DAY_MS) });
  expect((await service.sweep()).notices).toBe(1);
  useApp(createApp(env));
  await complianceReport.handler({ isPastDue: false } as Timer, new InvocationContext({ functionName: "complianceReport", invocationId: "test" }));
  useApp(undefined);
  return history;
}

/** Waits until the subscriber got every kind of event the seeded records make; each is a kvguard CloudEvent fitting its schema. */
export async function expectEveryEventType(hook: WebhookReceiver): Promise<void> {
  const expected: EventType[] = [
    "Kvguard.Rotation.Started",
    "Kvguard.Rotation.Succeeded",
    "Kvguard.Rotation.Failed",
    "Kvguard.Rotation.Abandoned",
    "Kvguard.Rotation.Revoked",
    "Kvguard.Finding.Raised",
    "Kvguard.Report.Ready",
    "Kvguard.Object.ExpiryNotice",
  ];
  await hook.waitFor((r) => expected.every((type) => r.deliveredTypes().includes(type)), "every event type");
  for (const event of hook.delivered()) {
    const type = event.type as EventType;
    expect(EVENT_TYPES).toContain(type);
    expect(event).toMatchObject({ specversion: "1.0", source: "/kvguard", dataschema: dataSchemaUri(type), datacontenttype: "application/json" });
    expect(EVENT_CATALOGUE[type].schema.safeParse(event.data).error).toBeUndefined();
  }
}
