/**
 * @module Alerts that quote hostile text (a tag's value in a rotation error, an audit record's principal):
 * the Teams card, parsed by the `adaptivecards` package and its markdown step run with markdown-it, shows the
 * text as written, with no link, emphasis, list, heading, code or image of the text's making; the mail keeps
 * it in one line of its text body and subject, and escaped in its HTML.
 */
import { describe, expect, it } from "vitest";
import type { Alert } from "../../src/alerts/alert.js";
import { alertsFromRotation } from "../../src/alerts/fromRotation.js";
import { single, summary } from "../../src/alerts/message.js";
import { adaptiveCard } from "../../src/alerts/render/card.js";
import { emailContent } from "../../src/alerts/render/email.js";
import { markdownText } from "../../src/alerts/render/markdown.js";
import { sampleAlert } from "../../src/alerts/samples.js";
import type { RotationJob } from "../../src/rotation/job.js";
import { cardTexts, markdownHtml, shownText } from "./helpers/cardMarkdown.js";
import { cardErrors } from "./helpers/cardValidator.js";

const AT = "2026-11-28T01:02:03.000Z";

/** What a tag writer would try, each on its own and with line breaks between. */
const HOSTILE = [
  "[click here to re-authenticate](https://evil.example/login)",
  "**URGENT**: __rotate__ _now_",
  "# Heading",
  "## sub",
  "- item one",
  "+ item two",
  "* item three",
  "1. first step",
  "2) second step",
  "> quoted",
  "<script>alert(1)</script>",
  "![pixel](https://evil.example/p.png)",
  "`code` and ~~gone~~",
  "\\[pre-escaped\\](https://evil.example)",
  "<https://evil.example/autolink>",
  "[ref]: https://evil.example",
  "&lt;b&gt;entity&lt;/b&gt; &#91;x&#93;",
  "    indented code",
  "---",
  "line one\n# forged heading\n- forged item\r\n[link](https://evil.example)\u2028**bold**",
];

/** HTML elements markdown makes; none may come from quoted text. */
const FORMATTING = /<(a|strong|em|h[1-6]|ul|ol|li|code|pre|blockquote|img|script|del|s|hr)\b/i;

const job: RotationJob = { v: 1, kind: "secret", vault: "payments-prod", name: "db-password", trigger: "schedule", requestedAt: AT };

function hostileAlerts(text: string): Alert[] {
  return [
    // A tag's value quoted in the engine's invalid-policy message.
    ...alertsFromRotation({
      job,
      at: AT,
      result: { outcome: "invalid-policy", rotationId: "r-1", message: `invalid rotation policy: kvguard-rotator: unknown rotator "${text}"` },
    }),
    // A driver's error quoting what the tag pointed at.
    ...alertsFromRotation({
      job,
      at: AT,
      error: new Error(`the server at ${text} refused the login`),
      status: { vault: "payments-prod", name: "db-password", kind: "secret", state: "failed", attempts: 5 },
    }),
    // An audit record's principal and the detector's explanation quoting it.
    {
      ...sampleAlert("finding", AT),
      title: `Unusual reader ${text}`,
      who: { principal: text, ip: "203.0.113.45" },
      explanation: `${text} read the decoy secret.`,
    },
  ];
}

const spaced = (text: string) => text.replace(/[\s\u2028\u2029]+/g, " ").trim();

describe("Teams cards", () => {
  it("show quoted text as written: the package's markdown step makes no formatting of it", () => {
    for (const text of HOSTILE) {
      const html = markdownHtml(markdownText(text));
      expect(html, text).not.toMatch(FORMATTING);
      expect(shownText(html), text).toBe(spaced(text));
    }
  });

  it("is not vacuous: the same texts unescaped become links, emphasis, lists, headings, code and images", () => {
    const plain = HOSTILE.filter((text) => !FORMATTING.test(markdownHtml(text)));
    // Markdown itself shows these as text (HTML off, escapes and entities) or drops them (a reference definition).
    expect(plain).toEqual([
      "<script>alert(1)</script>",
      "\\[pre-escaped\\](https://evil.example)",
      "[ref]: https://evil.example",
      "&lt;b&gt;entity&lt;/b&gt; &#91;x&#93;",
    ]);
    expect(markdownHtml(HOSTILE[0]!)).toContain('<a href="https://evil.example/login"');
  });

  it("of rotation failures and findings quoting hostile text are valid cards in which no text formats", () => {
    for (const text of HOSTILE) {
      const alerts = hostileAlerts(text);
      for (const message of [...alerts.map(single), summary("burst", alerts, "s-1")]) {
        const card = adaptiveCard(message, { appHost: "kvguard-prod.azurewebsites.net" });
        expect(cardErrors(card), text).toEqual([]);
        const shown = cardTexts(card).map((t) => {
          const html = markdownHtml(t);
          expect(html, `${text} in "${t}"`).not.toMatch(FORMATTING);
          return shownText(html);
        });
        // The reader sees the quoted text itself, on one line.
        expect(
          shown.some((s) => s.includes(spaced(text))),
          text,
        ).toBe(true);
      }
    }
  });

  it("keep kvguard's own facts readable: names, addresses and dates are unchanged", () => {
    const shown = cardTexts(adaptiveCard(single(sampleAlert("finding", AT)))).map((t) => shownText(markdownHtml(t)));
    for (const part of ["payments-prod/db-admin-old", "build-agent@contoso.com", "203.0.113.45", "2026-11-28 01:02 UTC", "detector collection_canary_secret"]) {
      expect(
        shown.some((s) => s.includes(part)),
        part,
      ).toBe(true);
    }
  });
});

describe("mail", () => {
  it("keeps quoted text in one line of the text body and the subject, and escaped in the HTML", () => {
    const benign = emailContent(single(hostileAlerts("plain words")[1]!));
    for (const text of HOSTILE) {
      for (const alert of hostileAlerts(text)) {
        const mail = emailContent(single(alert));
        expect(mail.subject, text).not.toMatch(/[\r\n\u2028]/);
        expect(mail.html, text).not.toMatch(/<script|<a href="https:\/\/evil|\u2028/);
        expect(
          mail.text.split("\n").some((line) => /^(# forged heading|- forged item|\[link\])/.test(line)),
          text,
        ).toBe(false);
      }
      const mail = emailContent(single(hostileAlerts(text)[1]!));
      expect(mail.text.split("\n"), text).toHaveLength(benign.text.split("\n").length);
    }
  });
});
