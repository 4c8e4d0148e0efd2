/**
 * A self-contained page opened in the machine's Chromium (playwright-core), with what it did wrong: console
 * errors and warnings, uncaught errors, dialogs, and every request it made (a self-contained page makes one:
 * itself).
 */
import type { Browser, Page } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface WatchedPage {
  page: Page;
  problems: string[];
  requests: string[];
}

export async function openWatched(browser: Browser, url: string, viewport: { width: number; height: number }): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => void (m.type() === "error" || m.type() === "warning" ? problems.push(`${m.type()}: ${m.text()}`) : undefined));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));
  page.on("dialog", (d) => problems.push(`dialog: ${d.message()}`));
  await page.goto(url, { waitUntil: "load" });
  return { page, problems, requests };
}
