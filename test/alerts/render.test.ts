/** @module Cards and mails of every alert kind and of summaries: valid Adaptive Cards, subjects, both mail bodies, no secret. */
import { describe, expect, it } from "vitest";
import { ALERT_KINDS, type Alert } from "../../src/alerts/alert.js";
import { single, summary } from "../../src/alerts/message.js";
import { adaptiveCard, teamsPayload } from "../../src/alerts/render/card.js";
import { emailContent } from "../../src/alerts/render/email.js";
import { sampleAlert } from "../../src/alerts/samples.js";
import { assertNoSecrets, SecretLeakError } from "../../src/alerts/secretGuard.js";
import { cardTexts, markdownHtml, shownText } from "./helpers/cardMarkdown.js";
import { cardErrors } from "./helpers/cardValidator.js";

const AT = "2026-11-28T01:02:03.000Z";

describe("Teams cards", () => {
  it.each(ALERT_KINDS)("%s: an Adaptive Card 1.5 the adaptivecards package parses with no error, in the Workflows payload", (kind) => {
    const payload = teamsPayload(single(sampleAlert(kind, AT)), { appHost: "kvguard-prod.azurewebsites.net" });
    expect(payload).toMatchObject({ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive" }] });
    const card = payload.attachments[0]!.content;
    expect(card).toMatchObject({ type: "AdaptiveCard", version: "1.5" });
    expect(cardErrors(card)).toEqual([]);
  });

  it("is not vacuous: the validator reports a card the adaptivecards package rejects", () => {
    expect(cardErrors({ type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: "x", color: "Red" }, { type: "Sparkline" }] })).toHaveLength(2);
  });

  it("shows severity by colour and word, the facts, the explanation and the links", () => {
    const alert = sampleAlert("finding", AT);
    const card = adaptiveCard(single(alert));
    const text = JSON.stringify(card);
    expect(text).toContain('"style":"attention"');
    expect(text).toContain('"color":"Attention"');
    expect(text).toContain("HIGH · Audit finding");
    // What a reader sees once Teams has read the card's markdown.
    const shown = cardTexts(card).map((t) => shownText(markdownHtml(t)));
    for (const part of ["payments-prod/db-admin-old", "build-agent@contoso.com", "203.0.113.45", "2026-11-28 01:02 UTC", "3", alert.explanation]) {
      expect(
        shown.some((s) => s.includes(part)),
        part,
      ).toBe(true);
    }
    expect(text).toContain(`https://portal.azure.com/#@/resource${alert.vaultResourceId}/overview`);
  });

  it("tells how to rotate now on a failed rotation (CLI and HTTP)", () => {
    const text = JSON.stringify(adaptiveCard(single(sampleAlert("rotation-failed", AT)), { appHost: "kvguard-prod.azurewebsites.net" }));
    expect(text).toContain("kvguard rotate payments-prod/db-password");
    expect(text).toContain("POST https://kvguard-prod.azurewebsites.net/api/rotate/payments-prod/db-password");
  });

  it("summarises many alerts in one valid card, most severe first, counting what it leaves out", () => {
    const alerts: Alert[] = Array.from({ length: 45 }, (_, i) => ({ ...sampleAlert(i % 2 ? "finding" : "rotation-succeeded", AT), title: `alert ${i}` }));
    const message = summary("burst", alerts, "summary-1");
    expect(message).toMatchObject({ kind: "summary", total: 45, omitted: 5, severity: "high" });
    const card = adaptiveCard(message);
    expect(cardErrors(card)).toEqual([]);
    const text = JSON.stringify(card);
    expect(text.includes('"text":"45 alerts (more than the rate limit at once)"') && text.includes('"text":"22 high, 18 info, 5 more"')).toBe(true);
    expect(emailContent(message).subject).toBe("[kvguard HIGH] 45 alerts (more than the rate limit at once): 22 high, 18 info, 5 more");
  });
  it("stays under Teams' message size limit however long the summarised titles are", () => {
    const alerts = Array.from({ length: 40 }, (_, i) => ({ ...sampleAlert("finding", AT), title: `${i} ${"long title ".repeat(40)}` }));
    const payload = JSON.stringify(teamsPayload(summary("digest", alerts, "s")));
    expect(payload.length).toBeLessThan(28_000);
    expect(payload).toMatch(/and \d+ more/);
    expect(cardErrors((JSON.parse(payload) as { attachments: { content: unknown }[] }).attachments[0]!.content)).toEqual([]);
  });
});

describe("mail", () => {
  it.each(ALERT_KINDS)("%s: subject with severity and what, HTML and plain text with the same facts", (kind) => {
    const alert = sampleAlert(kind, AT);
    const mail = emailContent(single(alert));
    expect(mail.subject).toMatch(/^\[kvguard (INFO|LOW|MEDIUM|HIGH|CRITICAL)\] /);
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain(alert.vault);
      expect(body).toContain("2026-11-28 01:02 UTC");
    }
    expect(mail.html).toMatch(/^<!doctype html>/);
    expect(mail.text).not.toContain("<");
  });

  it("escapes what it quotes in HTML", () => {
    const mail = emailContent(single({ ...sampleAlert("finding", AT), explanation: "read <script>alert(1)</script> & more" }));
    expect(mail.html).toContain("read &lt;script&gt;alert(1)&lt;/script&gt; &amp; more");
    expect(mail.text).toContain("read <script>alert(1)</script> & more");
  });

  it("says severity and what in the subject", () => {
    expect(emailContent(single(sampleAlert("rotation-failed", AT))).subject).toBe(
      "[kvguard HIGH] Rotation of payments-prod/db-password failed: kvguard gave up",
    );
    expect(emailContent(single(sampleAlert("finding", AT))).subject).toBe("[kvguard HIGH] Audit finding: Canary secret touched (payments-prod/db-admin-old)");
  });
});

describe("secret guard", () => {
  const secret = "Zq8#pR2!vX9$mK4&";

  it("refuses an alert, a card or a mail holding a value marked secret, in any rendered form", () => {
    const alert = { ...sampleAlert("rotation-failed", AT), explanation: `the target said: password ${secret} rejected` };
    expect(() => assertNoSecrets(alert, [secret], "alert")).toThrow(SecretLeakError);
    expect(() => assertNoSecrets(teamsPayload(single(alert)), [secret], "card")).toThrow("refused to send card");
    expect(() => assertNoSecrets(emailContent(single(alert)).html, [secret], "mail")).toThrow(SecretLeakError);
  });

  it("finds a secret in the forms the card and mail give it: one line, markdown-escaped", () => {
    const pem = "-----BEGIN KEY-----\nMIIB_x*9[q]#\n-----END KEY-----";
    const alert = { ...sampleAlert("rotation-failed", AT), explanation: `the driver said: ${pem}` };
    const card = teamsPayload(single(alert));
    expect(JSON.stringify(card)).not.toContain(pem);
    expect(() => assertNoSecrets(card, [pem], "card")).toThrow(SecretLeakError);
    expect(() => assertNoSecrets(emailContent(single(alert)), [pem], "mail")).toThrow(SecretLeakError);
  });

  it("lets clean alerts through and ignores values too short to check", () => {
    expect(() => assertNoSecrets(sampleAlert("finding", AT), [secret, "1"], "alert")).not.toThrow();
  });
});
