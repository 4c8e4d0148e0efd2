/**
 * @module The status page on a local stack: `kvguard status --html FILE` and `GET /api/status` (the function
 * handler with a real HttpRequest and InvocationContext) render the same self-contained page, opened in the
 * machine's Chromium (playwright-core): no request beyond the page itself, no console error, the rotation
 * states, the last failure, the 30-day calendar, open findings by severity and the compliance trend as the
 * stores hold them; a hostile tag prints as text; no secret value anywhere. The screenshot stays in
 * out/status-test/ (docs/status-page.png is a copy of it).
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { HttpRequest, HttpResponse, type HttpResponseInit } from "@azure/functions";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import type { Finding } from "../../src/audit/finding.js";
import { FINDINGS_TABLE, TableFindingStore } from "../../src/audit/store/findingStore.js";
import { useApp, type App } from "../../src/app/index.js";
import { reportToContainer } from "../../src/app/reports.js";
import { statusPageHandler } from "../../src/functions/statusPage.js";
import type { RotationService } from "../../src/rotation/service.js";
import { storageClients } from "../../src/state/storage.js";
import { localDatabases } from "../helpers/operator.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { CHROMIUM_ARGS, openWatched } from "../helpers/browserPage.js";
import { needs } from "../helpers/machineServices.js";
import { appFor, Capture, expectNoSecretValues, kvguardSecrets } from "../helpers/rotation.js";
import { DAY_MS } from "../../src/common/duration.js";

const CHROMIUM = needs("chromium");
const OUT = join(process.cwd(), "out", "status-test");

function finding(id: string, severity: Finding["severity"], endMs: number, summary: string): Finding {
  const at = new Date(endMs).toISOString();
  return {
    id,
    detector: `test_${severity}`,
    severity,
    vault: "local",
    principal: { upn: "someone@contoso.example" },
    ip: "203.0.113.9",
    start: at,
    end: at,
    count: 1,
    summary,
    evidence: [],
    baseline: null,
  };
}

CHROMIUM.describe("the status page", () => {
  let stack: LocalStack;
  let service: RotationService;
  let app: App;
  let browser: Browser;
  const capture = new Capture();

  beforeAll(async () => {
    await rm(OUT, { recursive: true, force: true });
    await mkdir(OUT, { recursive: true });
    stack = await startLocalStack({ policy: localDatabases(["mysql"]), settings: { KVGUARD_ROTATION_MAX_ATTEMPTS: "1" } });
    app = appFor(stack, capture);
    const secrets = kvguardSecrets(stack);
    const random = { "kvguard-rotator": "random" };
    // Two compliance reports two days apart: the trend's two points.
    await secrets.setSecret("api-token", "api-token-value-Jd83", { tags: random, expiresOn: new Date(stack.tv.kv.clock.nowMs() + 45 * DAY_MS) });
    await reportToContainer(app, { formats: ["json"] }, capture.log);
    stack.tv.kv.clock.advance((2 * DAY_MS) / 1000);
    await secrets.setSecret("no-expiry", "no-expiry-value-Ua61");
    await reportToContainer(app, { formats: ["json"] }, capture.log);

    const now = stack.tv.kv.clock.nowMs();
    await secrets.setSecret("weekly", "weekly-value-Qx81", { tags: { ...random, "kvguard-rotate-every": "P7D" } });
    await secrets.setSecret("cert-password", "cert-value-Nb47", { expiresOn: new Date(now + 12 * DAY_MS) });
    await secrets.setSecret("hostile", "hostile-value-Te09", { tags: { "kvguard-rotator": "<img src=x onerror=alert(1)>" } });
    await secrets.setSecret("orders-db", "orders-db-Vb73", {
      tags: { "kvguard-rotator": "mysql", CredentialId: "orders", ProviderAddress: "127.0.0.1:1", "kvguard-options": "connectTimeout=2" },
    });
    service = await app.rotation();
    useApp(app);
    await service.rotateNow("local", "api-token");
    await expect(service.rotateNow("local", "orders-db")).rejects.toThrow();
    await service.sweep();
    const findings = new TableFindingStore(storageClients(stack.env, new DevTokenCredential({ name: "kvguard" })).table(FINDINGS_TABLE));
    await findings.upsert([
      finding("f1", "high", now - DAY_MS, "mass retrieval of 40 secrets by someone@contoso.example"),
      finding("f2", "medium", now - 2 * DAY_MS, "first access from a new network"),
      finding("f3", "medium", now - 3 * DAY_MS, "listing then reading"),
      finding("f4", "low", now - 90 * DAY_MS, "long closed: not open any more"),
    ]);
    browser = await chromium.launch({ executablePath: CHROMIUM.at(), args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    useApp(undefined);
    await browser?.close();
    await stack?.stop();
  });

  it("GET /api/status answers the page as self-contained HTML", async () => {
    const result: HttpResponseInit = await statusPageHandler(
      new HttpRequest({ method: "GET", url: "http://localhost:7071/api/status" }),
      capture.context("statusPage"),
    );
    const response = new HttpResponse(result);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const body = await response.text();
    capture.add("statusPage body", body);
    expect(body).not.toMatch(/<script|<link|src="http|href="http/);
    expect(body).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("kvguard status --html writes the page; Chromium shows states, failures, calendar, findings and trend", async () => {
    const file = join(OUT, "status.html");
    const cli = await capture.cli(stack, ["status", "--html", file]);
    expect(cli.stderr).toBe("");
    expect(cli.stdout).toMatch(/^wrote .*status\.html: 1 vaults, \d+ planned in 30 days$/m);
    const html = await readFile(file, "utf8");
    capture.add("status.html", html);

    const url = pathToFileURL(file).href;
    const { page, problems, requests } = await openWatched(browser, url, { width: 1200, height: 900 });

    const vault = page.locator('section[data-vault="local"]');
    const state = (s: string) => vault.locator(`.card[data-state="${s}"] .num`).textContent();
    expect(await state("failed")).toBe("1");
    expect(await state("invalid-policy")).toBe("1");
    expect(await state("ok")).toBe("1");
    expect(await vault.locator("tr.problem").count()).toBe(2);
    expect(await vault.getByText("ECONNREFUSED").count()).toBeGreaterThan(0);
    // The calendar: 30 days, the weekly rotation 7 days on, the unmanaged expiry 12 days on, api-token's revoke tomorrow.
    expect(await vault.locator("svg.calendar g[data-day]:not([data-day=''])").count()).toBe(30);
    const dayOf = (offset: number) => new Date(stack.tv.kv.clock.nowMs() + offset * DAY_MS).toISOString().slice(0, 10);
    expect(await vault.locator(`svg.calendar g[data-day="${dayOf(7)}"] title`).textContent()).toContain("rotate secret weekly");
    expect(await vault.locator(`svg.calendar g[data-day="${dayOf(12)}"] title`).textContent()).toContain("expire secret cert-password");
    expect(await vault.locator(`svg.calendar g[data-day="${dayOf(1)}"] title`).textContent()).toContain("revoke secret api-token");
    // Findings of the last 30 days by severity; the one from 90 days ago is not open.
    expect(await vault.locator("svg.severity title").allTextContents()).toEqual(["Open findings by severity", "high: 1", "medium: 2", "low: 0"]);
    expect(await vault.getByText("long closed").count()).toBe(0);
    // Two report snapshots: two points of the trend.
    expect(await vault.locator("svg.trend circle").count()).toBe(2);
    expect(await page.getByText("<img src=x onerror=alert(1)>", { exact: false }).count()).toBeGreaterThan(0);

    await page.screenshot({ path: join(OUT, "status-page.png"), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it("shows no secret value", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
