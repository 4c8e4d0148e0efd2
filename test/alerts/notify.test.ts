/** @module The hooks for the engine and the audit pipeline: alerts built and dispatched, no-op when off, failures logged not thrown. */
import { describe, expect, it, vi } from "vitest";
import type { Alert } from "../../src/alerts/alert.js";
import type { Alerting } from "../../src/alerts/alerting.js";
import { createNotifier } from "../../src/alerts/notifier.js";
import type { RotationJob } from "../../src/rotation/job.js";

const job: RotationJob = { v: 1, kind: "secret", vault: "payments-prod", name: "db-password", trigger: "schedule", requestedAt: "2026-11-28T01:00:00.000Z" };

describe("notifyRotation", () => {
  it("dispatches the alerts a failed rotation raises, with the caller's secrets", async () => {
    const dispatched: { alerts: readonly Alert[]; secrets?: readonly string[] }[] = [];
    const dispatcher = {
      dispatch: (alerts: readonly Alert[], options: { secrets?: readonly string[] }) => (
        dispatched.push({ alerts, ...options }),
        Promise.resolve({ sent: alerts.length })
      ),
    };
    const notifier = createNotifier(() => Promise.resolve({ dispatcher, sinks: {}, close: () => undefined } as unknown as Alerting));
    const report = await notifier.notifyRotation({ job, error: new Error("target unreachable") }, { secrets: ["new-value-123456"] });
    expect(report).toEqual({ sent: 1 });
    expect(dispatched).toMatchObject([{ alerts: [{ kind: "rotation-failed", vault: "payments-prod" }], secrets: ["new-value-123456"] }]);
  });

  it("does nothing when alerting is off or nothing happened, and logs instead of throwing when dispatch cannot run", async () => {
    expect(await createNotifier(() => Promise.resolve(undefined)).notifyRotation({ job, error: new Error("x") })).toBeUndefined();
    const alerting = vi.fn(() => Promise.reject(new Error("storage unreachable")));
    const notifier = createNotifier(alerting);
    expect(await notifier.notifyRotation({ job, result: { outcome: "not-due", rotationId: "r", message: "" } })).toBeUndefined();
    expect(alerting).not.toHaveBeenCalled();
    const logs: string[] = [];
    expect(await notifier.notifyRotation({ job, error: new Error("x") }, { log: (line) => logs.push(line) })).toBeUndefined();
    expect(logs).toEqual(["alerts: could not dispatch 1 alert(s) (Rotation of payments-prod/db-password failed): storage unreachable"]);
  });
});
