/**
 * The certificate inventory of `kvguard status`, the status page (`--html`, opened in Chromium) and
 * `GET /api/status`, on a local stack: a certificate from an integrated CA that Key Vault renews by itself, a
 * self-signed one kvguard renews, and an imported one (issuer Unknown) a person must renew, each with its
 * issuer, subject and SANs, key, expiry and lifetime actions; the page stays self-contained; no private key.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { HttpRequest, HttpResponse } from "@azure/functions";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useApp } from "../../src/app/index.js";
import { statusPageHandler } from "../../src/functions/statusPage.js";
import { CHROMIUM_ARGS, openWatched } from "../helpers/browserPage.js";
import { certificateClient, opensslPfx, scratch } from "../helpers/certificates.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { needs } from "../helpers/machineServices.js";
import { appFor, Capture } from "../helpers/rotation.js";

const CHROMIUM = needs("chromium");
let stack: LocalStack;
let keyPem: string;
const capture = new Capture();

beforeAll(async () => {
  stack = await startLocalStack();
  const certificates = certificateClient(stack.tv, { name: "kvguard" });
  await certificates.createIssuer("digicert", "DigiCert");
  await (
    await certificates.beginCreateCertificate("shop-tls", {
      issuerName: "digicert",
      subject: "CN=shop.kvguard.localhost",
      subjectAlternativeNames: { dnsNames: ["shop.kvguard.localhost", "www.shop.kvguard.localhost"] },
      keyType: "RSA",
      keySize: 3072,
      validityInMonths: 12,
      lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
    })
  ).pollUntilDone();
  await (
    await certificates.beginCreateCertificate("legacy-tls", {
      issuerName: "Self",
      subject: "CN=legacy.kvguard.localhost",
      keyType: "EC",
      keyCurveName: "P-256",
      validityInMonths: 24,
      lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 95 }],
    })
  ).pollUntilDone();
  const pfx = opensslPfx(scratch(), ["-newkey", "rsa:2048"], "/CN=partner.kvguard.localhost", ["-passout", "pass:"], 20);
  keyPem = pfx.keyPem;
  await certificates.importCertificate("partner-tls", pfx.pfx);
}, 120_000);
afterAll(async () => {
  useApp(undefined);
  await stack?.stop();
});

const KEY_LINES = () => keyPem.split("\n").filter((l) => l && !l.startsWith("-----"));

describe("the certificate inventory", () => {
  it("kvguard status lists every certificate with issuer, subject, SANs, key, expiry, lifetime actions and who renews it", async () => {
    const result = await capture.cli(stack, ["status"]);
    expect(result.stderr).toBe("");
    const line = (name: string) => result.stdout.split("\n").find((l) => l.startsWith(`local/certificates/${name} `)) ?? "";
    expect(line("shop-tls")).toMatch(
      /expires \d{4}-\d\d-\d\d \(in 36\d days\) {2}issuer digicert \(DigiCert\), signed by .* {2}subject CN=shop\.kvguard\.localhost, DNS:shop\.kvguard\.localhost, DNS:www\.shop\.kvguard\.localhost {2}key RSA 3072 {2}lifetime actions AutoRenew 30 days before expiry {2}renewed by itself \(AutoRenew\)/,
    );
    expect(line("legacy-tls")).toMatch(
      /issuer Self, signed by CN=legacy\.kvguard\.localhost .*key EC P-256 {2}lifetime actions EmailContacts at 95% of life {2}renewed by kvguard/,
    );
    expect(line("partner-tls")).toMatch(/expires .* \(in 19 days\) {2}issuer Unknown, .*key RSA 2048 .*renewed needs a person: its issuer is Unknown/);
    const json = await capture.cli(stack, ["status", "local", "--json"]);
    const rows = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind?: string; name: string; renewedBy?: string });
    expect(rows.filter((r) => r.kind === "certificate").map((r) => `${r.name}:${r.renewedBy}`)).toEqual([
      "legacy-tls:kvguard",
      "partner-tls:nobody",
      "shop-tls:key-vault",
    ]);
  });

  it("GET /api/status shows the inventory in the self-contained page", async () => {
    useApp(appFor(stack, capture));
    const response = new HttpResponse(
      await statusPageHandler(new HttpRequest({ method: "GET", url: "http://localhost:7071/api/status" }), capture.context("statusPage")),
    );
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toMatch(/<tr data-certificate="partner-tls" data-renewed="nobody" class="needs-person">/);
    expect(body).toContain('data-certificate="shop-tls" data-renewed="key-vault"');
    expect(body).not.toMatch(/<script|<link|src="http|href="http/);
    for (const line of KEY_LINES()) expect(body).not.toContain(line);
  });
});

CHROMIUM.describe("the certificate inventory in Chromium", () => {
  it("kvguard status --html: each certificate's row, the page loading nothing else", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kvguard-status-")), "status.html");
    const cli = await capture.cli(stack, ["status", "--html", file]);
    expect(cli.stderr).toBe("");
    const browser = await chromium.launch({ executablePath: CHROMIUM.at(), args: CHROMIUM_ARGS });
    try {
      const url = pathToFileURL(file).href;
      const { page, problems, requests } = await openWatched(browser, url, { width: 1200, height: 900 });
      const row = (name: string) => page.locator(`section[data-vault="local"] table.certificates tr[data-certificate="${name}"] td`).allTextContents();
      expect(await row("shop-tls")).toEqual([
        "shop-tls",
        "CN=shop.kvguard.localhost, DNS:shop.kvguard.localhost, DNS:www.shop.kvguard.localhost",
        expect.stringMatching(/^digicert \(DigiCert\), signed by /) as string,
        "RSA 3072",
        expect.stringMatching(/^\d{4}-\d\d-\d\d \(in 36\d days\)$/) as string,
        "AutoRenew 30 days before expiry",
        expect.stringMatching(/^by itself \(AutoRenew\)Key Vault renews it by itself/) as string,
      ]);
      expect((await row("partner-tls")).at(-1)).toMatch(/^needs a personits issuer is Unknown/);
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
      await page.close();
    } finally {
      await browser.close();
    }
    const html = await readFile(file, "utf8");
    for (const line of KEY_LINES()) expect(html).not.toContain(line);
  });
});
