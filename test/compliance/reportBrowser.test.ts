/**
 * @module The HTML report opened in headless Chromium (the machine's, through playwright-core): no console
 * error, no request beyond the file itself, the numbers on the page equal the JSON's, print styles apply. The
 * report, a screenshot and a printed PDF stay in out/compliance/ (git ignores out/) for a person. Skipped,
 * loudly, where the machine has no Chromium, unless REQUIRE_CHROMIUM=1 (helpers/machineServices.ts).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { publishReport } from "../../src/compliance/report/publish.js";
import { FolderStore } from "../../src/compliance/report/store.js";
import { OUTCOMES } from "../../src/compliance/report/summary.js";
import { complianceFixture, daysFrom } from "../helpers/complianceFixture.js";
import { CHROMIUM_ARGS, openWatched } from "../helpers/browserPage.js";
import { needs } from "../helpers/machineServices.js";

const CHROMIUM = needs("chromium");
const OUT = join(process.cwd(), "out", "compliance");

CHROMIUM.describe("HTML report in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    // The report, its snapshots, a screenshot and a printed PDF stay here for a person to look at.
    await rm(OUT, { recursive: true, force: true });
    browser = await chromium.launch({ executablePath: CHROMIUM.at(), args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("renders without errors or requests, shows the JSON's numbers and prints with page breaks", async () => {
    const store = new FolderStore(OUT);
    const earlier = complianceFixture({ generatedAt: daysFrom(-30) });
    earlier.results.find((r) => r.objectName === "stripe-api-key" && r.checkId === "secret-rotated-within-cryptoperiod")!.outcome = "pass";
    await publishReport(earlier, { store, formats: ["json"] });
    const { document: doc, files } = await publishReport(complianceFixture(), { store, formats: ["html"] });
    const url = pathToFileURL(files[0]!.location).href;

    const { page, problems, requests } = await openWatched(browser, url, { width: 1280, height: 900 });

    const card = (o: string) => page.locator(`#totals .card[data-outcome="${o}"] .num`).textContent();
    for (const o of OUTCOMES) expect(Number(await card(o))).toBe(doc.summary.totals[o]);
    expect(await page.locator("#pass-rate").textContent()).toBe(
      `${doc.summary.totals.pass + doc.summary.totals.fail ? Math.round((doc.summary.totals.pass / (doc.summary.totals.pass + doc.summary.totals.fail)) * 1000) / 10 : 0}%`,
    );
    for (const f of doc.summary.byFramework) {
      for (const o of OUTCOMES) {
        const cell = await page.locator(`#framework-summary tr[data-framework="${f.framework}"] td[data-outcome="${o}"]`).textContent();
        expect(Number(cell), `${f.framework} ${o}`).toBe(f.totals[o]);
      }
    }
    for (const v of doc.summary.byVault) {
      expect(Number(await page.locator(`#vault-summary tr[data-vault="${v.vault}"] td[data-outcome="fail"]`).textContent())).toBe(v.totals.fail);
    }
    expect(await page.locator("#new-failures").textContent()).toBe(String(doc.changes!.newFailures.length));
    expect(await page.locator("svg.donut").count()).toBe(doc.summary.byFramework.length);
    expect(await page.locator("svg.timeline g[data-bucket]").count()).toBe(doc.summary.expiry.length);
    expect(await page.locator("svg.trend circle").count()).toBe(2);
    // The hostile object name is text on the page, not markup.
    expect(await page.locator("text=<script>alert(1)</script>").count()).toBeGreaterThan(0);

    await page.screenshot({ path: join(OUT, "report-fixture.png"), fullPage: true });
    await page.emulateMedia({ media: "print" });
    const print = await page.evaluate(() => ({
      nav: getComputedStyle(document.querySelector("nav")!).display,
      expiry: getComputedStyle(document.querySelector("#expiry")!).breakBefore,
      first: getComputedStyle(document.querySelector("#frameworks")!).breakBefore,
    }));
    expect(print).toEqual({ nav: "none", expiry: "page", first: "auto" });
    const pdf = await page.pdf({ path: join(OUT, "report-fixture-print.pdf"), format: "A4", printBackground: true });
    expect(pdf.length).toBeGreaterThan(10_000);

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });
});
