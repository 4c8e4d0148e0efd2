/**
 * @module `npm run render:alerts`: renders the mail (HTML) and a preview of the Teams card of every alert
 * kind, and of a summary, to PNG in headless Chromium, into `out/alerts/`, so a person can look at them.
 * The card preview uses the `adaptivecards` renderer itself with a host config close to Teams' light theme.
 * Needs Debian's chromium (`apt-get install chromium`); never part of `npm test`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ALERT_KINDS, type Alert } from "../src/alerts/alert.js";
import { single, summary, type AlertMessage } from "../src/alerts/message.js";
import { adaptiveCard } from "../src/alerts/render/card.js";
import { emailContent } from "../src/alerts/render/email.js";
import { sampleAlert } from "../src/alerts/samples.js";

const OUT = join(process.cwd(), "out", "alerts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const LINKS = { appHost: "kvguard-prod.azurewebsites.net" };

/** Teams' light theme, roughly: Segoe UI, its text colours and the container styles' backgrounds. */
const HOST_CONFIG = {
  fontFamily: "Segoe UI, Helvetica Neue, Arial, sans-serif",
  supportsInteractivity: true,
  containerStyles: {
    default: {
      backgroundColor: "#FFFFFF",
      foregroundColors: {
        default: { default: "#242424", subtle: "#616161" },
        accent: { default: "#5B5FC7" },
        good: { default: "#0E700E" },
        warning: { default: "#835B00" },
        attention: { default: "#C4314B" },
      },
    },
    emphasis: { backgroundColor: "#F5F5F5" },
    accent: { backgroundColor: "#E8EBFA", foregroundColors: { default: { default: "#242424", subtle: "#616161" }, accent: { default: "#4F52B2" } } },
    good: { backgroundColor: "#E7F2DA", foregroundColors: { default: { default: "#242424", subtle: "#616161" }, good: { default: "#0E700E" } } },
    warning: { backgroundColor: "#FBF6D9", foregroundColors: { default: { default: "#242424", subtle: "#616161" }, warning: { default: "#835B00" } } },
    attention: { backgroundColor: "#FCF4F6", foregroundColors: { default: { default: "#242424", subtle: "#616161" }, attention: { default: "#C4314B" } } },
  },
};

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; padding: 24px; background: #f5f5f5; font-family: Segoe UI, Helvetica Neue, Arial, sans-serif; }
#frame { width: 600px; background: #fff; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.15); overflow: hidden; }
#frame .ac-pushButton { border: 1px solid #d1d1d1; background: #fff; border-radius: 4px; padding: 6px 12px; font: 600 14px Segoe UI, Arial, sans-serif; color: #242424; }
</style></head><body><div id="frame"></div></body></html>`;

function messages(): [string, AlertMessage][] {
  const at = new Date().toISOString();
  const kinds = ALERT_KINDS.map((kind): [string, AlertMessage] => [kind, single(sampleAlert(kind, at))]);
  const burst: Alert[] = [
    sampleAlert("finding", at),
    {
      ...sampleAlert("rotation-failed", at),
      severity: "medium",
      title: "Rotation of payments-prod/api-key failed",
      object: { type: "secret", name: "api-key" },
      count: 2,
      explanation: "The schedule rotation failed (attempt 2); kvguard retries with backoff. Error: the target answered 503.",
    },
    {
      ...sampleAlert("finding", at),
      severity: "low",
      title: "First time seen principal",
      object: { type: "secret", name: "smtp-relay" },
      who: { principal: "reporting-app", ip: "10.20.0.14" },
      count: 1,
      explanation: "reporting-app read smtp-relay for the first time in 14 days of history (detector initial_access_first_seen_principal).",
    },
    sampleAlert("near-expiry-without-policy", at),
    sampleAlert("rotation-succeeded", at),
  ];
  return [...kinds, ["summary", summary("quiet-hours", burst, "preview-summary")]];
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 720, height: 400 }, deviceScaleFactor: 1 });
    const adaptiveCardsJs = createRequire(import.meta.url).resolve("adaptivecards/dist/adaptivecards.js");
    for (const [name, message] of messages()) {
      await page.setContent(PAGE);
      await page.addScriptTag({ path: adaptiveCardsJs });
      const card = adaptiveCard(message, LINKS);
      await page.evaluate(
        `(() => {
          const AC = window.AdaptiveCards;
          const card = new AC.AdaptiveCard();
          card.hostConfig = new AC.HostConfig(${JSON.stringify(HOST_CONFIG)});
          card.parse(${JSON.stringify(card)});
          document.getElementById("frame").appendChild(card.render());
        })()`,
      );
      await page.locator("#frame").screenshot({ path: join(OUT, `card-${name}.png`) });
      await writeFile(join(OUT, `card-${name}.json`), `${JSON.stringify(card, null, 2)}\n`);

      const mail = emailContent(message, LINKS);
      await page.setContent(mail.html);
      await page.screenshot({ path: join(OUT, `email-${name}.png`), fullPage: true });
      await writeFile(join(OUT, `email-${name}.html`), mail.html);
      await writeFile(join(OUT, `email-${name}.txt`), `Subject: ${mail.subject}\n\n${mail.text}`);
      console.log(`${name}: out/alerts/card-${name}.png, out/alerts/email-${name}.png`);
    }
  } finally {
    await browser.close();
  }
}

await main();
