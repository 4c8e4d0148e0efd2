/**
 * @module The local catchers `npm start` routes alerts to: kvguard, configured from the settings they give,
 * sends every alert kind; each catcher prints one line per message and saves it (card JSON, .eml).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import { ALERT_KINDS } from "../../src/alerts/alert.js";
import { createApp } from "../../src/app/index.js";
import { startLocalAlerts } from "../../dev/alerts/localAlerts.js";
import { sampleAlert } from "../../src/alerts/samples.js";
import { cardErrors } from "./helpers/cardValidator.js";

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite.stop());

describe("local alert catchers", () => {
  it("print a one-line summary and save each card and mail under out/alerts", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "kvguard-out-"));
    const lines: string[] = [];
    const local = await startLocalAlerts({ outDir, print: (line) => lines.push(line) });
    // No certificate given: the catcher speaks clear text, and its settings allow that explicitly.
    expect(local.settings.KVGUARD_ALERT_SMTP_STARTTLS).toBe("optional");
    const alerting = await createApp(
      { KVGUARD_VAULT_URLS: "https://payments-prod.vault.azure.net", AzureWebJobsStorage: azurite.connectionString, ...local.settings },
      { alerts: { log: (line) => lines.push(`log: ${line}`) } },
    ).alerting();
    const report = await alerting!.dispatcher.dispatch(ALERT_KINDS.map((kind) => sampleAlert(kind)));
    alerting!.close();
    await local.close();

    expect(report).toMatchObject({ received: ALERT_KINDS.length, sent: 2 * ALERT_KINDS.length, queued: 0 });
    expect(local.teams.saved).toHaveLength(ALERT_KINDS.length);
    expect(local.smtp.saved).toHaveLength(ALERT_KINDS.length);
    expect(lines.filter((l) => l.startsWith("teams: "))).toContainEqual(
      expect.stringMatching(/^teams: HIGH · Rotation failed: Rotation of payments-prod\/db-password failed: kvguard gave up → .*\.json$/),
    );
    expect(lines.filter((l) => l.startsWith("mail: "))).toContainEqual(
      expect.stringMatching(
        /^mail: \[kvguard HIGH\] Audit finding: Canary secret touched \(payments-prod\/db-admin-old\) → secops@kvguard\.localhost → .*\.eml$/,
      ),
    );
    expect(lines.filter((l) => l.startsWith("log: "))).toEqual([]);
    for (const file of local.teams.saved) {
      const payload = JSON.parse(readFileSync(file, "utf8")) as { attachments: { content: unknown }[] };
      expect(cardErrors(payload.attachments[0]!.content)).toEqual([]);
    }
    const mail = await simpleParser(readFileSync(local.smtp.saved[0]!));
    expect(mail.from?.text).toBe("kvguard@kvguard.localhost");
    expect(mail.html).toBeTruthy();
    expect(mail.text).toBeTruthy();
  });
});
