/** @module Alerts from rotation results and errors, and from audit findings: kinds, severities, dedup keys, no secret. */
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/audit/finding.js";
import { alertFromReport } from "../../src/alerts/fromReport.js";
import { alertsFromFindings } from "../../src/alerts/fromFindings.js";
import { alertsFromRotation } from "../../src/alerts/fromRotation.js";
import type { RotationJob } from "../../src/rotation/job.js";
import { detectorById } from "../../src/audit/detectors/registry.js";

const AT = "2026-11-28T01:00:00.000Z";
const job = (overrides: Partial<RotationJob> = {}): RotationJob => ({
  v: 1,
  kind: "secret",
  vault: "payments-prod",
  name: "db-password",
  trigger: "schedule",
  requestedAt: AT,
  ...overrides,
});

describe("alertsFromRotation", () => {
  it("a failure: medium while kvguard retries, high once it gave up; keyed by the failing secret; credentials scrubbed", () => {
    const error = new Error("login failed; connection AccountName=x;AccountKey=c2VjcmV0LWtleS12YWx1ZQ== refused");
    const [retrying] = alertsFromRotation({
      job: job(),
      error,
      status: { vault: "payments-prod", name: "db-password", kind: "secret", state: "failing", attempts: 2 },
      at: AT,
    });
    expect(retrying).toMatchObject({
      kind: "rotation-failed",
      severity: "medium",
      dedupKey: "rotation-failed|payments-prod/db-password",
      count: 2,
      at: AT,
      object: { type: "secret", name: "db-password" },
    });
    expect(retrying!.explanation).toContain("kvguard retries with backoff");
    expect(retrying!.explanation).not.toContain("c2VjcmV0LWtleS12YWx1ZQ==");
    const [gaveUp] = alertsFromRotation({
      job: job(),
      error,
      status: { vault: "payments-prod", name: "db-password", kind: "secret", state: "failed", attempts: 5 },
    });
    expect(gaveUp).toMatchObject({ severity: "high", dedupKey: retrying!.dedupKey, title: "Rotation of payments-prod/db-password failed: kvguard gave up" });
  });

  it("a success, an invalid policy, and a near-expiry event for an object without policy", () => {
    expect(alertsFromRotation({ job: job(), result: { outcome: "rotated", rotationId: "r1", message: "", version: "v2" } })).toMatchObject([
      { kind: "rotation-succeeded", severity: "info", dedupKey: "rotated|r1" },
    ]);
    expect(
      alertsFromRotation({ job: job(), result: { outcome: "invalid-policy", rotationId: "r2", message: "invalid rotation policy: bad window" } }),
    ).toMatchObject([{ kind: "rotation-failed", severity: "medium" }]);
    const event = job({ trigger: "event", eventType: "Microsoft.KeyVault.SecretNearExpiry", kind: "secret" });
    expect(alertsFromRotation({ job: event, result: { outcome: "no-policy", rotationId: "r3", message: "" } })).toMatchObject([
      { kind: "near-expiry-without-policy", severity: "medium", dedupKey: "near-expiry|payments-prod/db-password" },
    ]);
    const expired = job({ trigger: "event", eventType: "Microsoft.KeyVault.KeyExpired", kind: "key", name: "signing" });
    expect(alertsFromRotation({ job: expired, result: { outcome: "no-policy", rotationId: "r4", message: "" } })).toMatchObject([
      { kind: "near-expiry-without-policy", severity: "high", object: { type: "key", name: "signing" } },
    ]);
  });

  it("nothing for outcomes nobody needs to hear about", () => {
    for (const outcome of ["not-due", "already-rotated", "nothing-to-revoke", "not-found", "revoked"] as const) {
      expect(alertsFromRotation({ job: job(), result: { outcome, rotationId: "r", message: "" } })).toEqual([]);
    }
    expect(alertsFromRotation({ job: job(), result: { outcome: "no-policy", rotationId: "r", message: "" } })).toEqual([]);
  });
});

describe("alertsFromFindings", () => {
  it("one alert per finding, keyed by the finding id, with who, where, when, how many and the detector's name", () => {
    const finding: Finding = {
      id: "f0123456789abcdef0123456789abcd",
      detector: "collection_canary_secret",
      severity: "high",
      vault: "payments-prod",
      principal: { upn: "build-agent@contoso.com", oid: "0000" },
      ip: "203.0.113.45",
      object: "payments-prod/secrets/db-admin-old",
      start: AT,
      end: "2026-11-28T01:05:00.000Z",
      count: 3,
      summary: "read the canary secret db-admin-old",
      evidence: [],
      baseline: null,
    };
    const [alert] = alertsFromFindings(
      [finding],
      { "payments-prod": "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/payments-prod" },
      (id) => detectorById(id)?.name,
    );
    expect(alert).toMatchObject({
      kind: "finding",
      severity: "high",
      dedupKey: `finding|${finding.id}`,
      title: "Canary secret touched",
      vault: "payments-prod",
      vaultResourceId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/payments-prod",
      object: { type: "secret", name: "db-admin-old" },
      who: { principal: "build-agent@contoso.com", ip: "203.0.113.45" },
      at: AT,
      until: finding.end,
      count: 3,
    });
    expect(alert!.explanation).toContain("read the canary secret db-admin-old");
  });
});

describe("alertFromReport", () => {
  it("points at the report", () => {
    expect(
      alertFromReport({ id: "2026-11", title: "November access review", vault: "all vaults", url: "https://example.com/r.pdf", at: AT, summary: "s" }),
    ).toMatchObject({
      kind: "report-ready",
      severity: "info",
      url: "https://example.com/r.pdf",
      dedupKey: "report|2026-11",
    });
  });
});
