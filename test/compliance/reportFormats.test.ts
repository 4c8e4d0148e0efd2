/** @module The report renderers on the fixture run: JSON and CSV against their schemas, HTML escaping, PDF pages and text, snapshots. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CSV_COLUMNS, csvRowSchema, renderCsv } from "../../src/compliance/report/csv.js";
import { renderHtml } from "../../src/compliance/report/html.js";
import { renderJson, reportDocument } from "../../src/compliance/report/json.js";
import { renderPdf } from "../../src/compliance/report/pdf.js";
import { publishReport } from "../../src/compliance/report/publish.js";
import { reportDocumentSchema, reportJsonSchema } from "../../src/compliance/report/schema.js";
import { FolderStore } from "../../src/compliance/report/store.js";
import { complianceFixture, daysFrom, FIXTURE_AT, HOSTILE_NAME } from "../helpers/complianceFixture.js";
import { readPdf } from "../helpers/pdf.js";
import { parseCsv } from "./reportCsv.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("JSON report", () => {
  it("validates against its schema and counts every result", () => {
    const run = complianceFixture();
    const doc = reportDocumentSchema.parse(JSON.parse(renderJson(reportDocument(run))));
    const count = (o: string) => run.results.filter((r) => r.outcome === o).length;
    expect(doc.summary.totals).toEqual({
      pass: count("pass"),
      fail: count("fail"),
      "not-applicable": count("not-applicable"),
      error: count("error"),
      total: run.results.length,
    });
    expect(doc.summary.totals.fail).toBeGreaterThan(0);
    expect(doc.summary.totals.error).toBe(4);
    expect(doc.scope.frameworks).toEqual(["azure-policy", "cis", "mcsb", "pci", "nist-800-57", "iso-27001"]);
    const pci = doc.summary.byFramework.find((f) => f.framework === "pci")!;
    // secret-expiry-set (7), secret-rotated (7), key-expiry-set (3), key-rsa-min-size (3), key-rotation-policy (3), vault-rbac (3), vault-audit-logging (3)
    expect(pci.totals.total).toBe(29);
    expect(pci.controls.find((c) => c.control === "3.7.4")).toMatchObject({
      checks: ["secret-rotated-within-cryptoperiod", "key-rotation-policy"],
      status: "fail",
    });
    const cis = doc.summary.byFramework.find((f) => f.framework === "cis")!;
    expect(cis.controls.map((c) => `${c.version} ${c.control}`)).toContain("5.0.0 8.3.9");
    expect(doc.summary.byVault.find((v) => v.vault === "legacy-dev")).toMatchObject({
      objects: 0,
      totals: { error: 3 },
      error: expect.stringContaining("403") as string,
    });
    expect(doc.summary.expiry[0]).toEqual({ label: "expired", count: 0 });
    expect(doc.summary.expiry.find((b) => b.label === "2026-12")!.count).toBe(2);
    expect(doc.summary.rotation.find((r) => r.name === "db-password")).toMatchObject({ ageDays: 12, versions: 14, results: [{ outcome: "pass" }] });
    expect(doc.changes).toBeNull();
  });

  it("narrows to the frameworks asked for", () => {
    const doc = reportDocument(complianceFixture({ frameworks: ["pci"] }));
    expect(doc.scope.frameworks).toEqual(["pci"]);
    expect(doc.checks.map((c) => c.id).sort()).toEqual([
      "key-expiry-set",
      "key-rotation-policy",
      "key-rsa-min-size",
      "secret-expiry-set",
      "secret-rotated-within-cryptoperiod",
      "vault-audit-logging",
      "vault-rbac",
    ]);
    expect(doc.results.every((r) => doc.checks.some((c) => c.id === r.checkId))).toBe(true);
    expect(doc.summary.byFramework.map((f) => f.framework)).toEqual(["pci"]);
  });

  it("has a JSON Schema document naming every top-level field", () => {
    const schema = reportJsonSchema() as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(
      expect.arrayContaining(["schema", "schemaVersion", "generatedAt", "summary", "results", "inventory", "checks", "vaults", "errors", "changes"]),
    );
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it("refuses a document that breaks the schema", () => {
    const doc = JSON.parse(renderJson(reportDocument(complianceFixture()))) as { results: { outcome: string }[] };
    doc.results[0]!.outcome = "passed";
    expect(reportDocumentSchema.safeParse(doc).success).toBe(false);
  });
});

describe("CSV report", () => {
  it("has one row per result, the documented columns, and every row valid", () => {
    const run = complianceFixture();
    const rows = parseCsv(renderCsv(reportDocument(run)));
    expect(rows[0]).toEqual(CSV_COLUMNS.map((c) => c.name));
    expect(rows.length - 1).toBe(run.results.length);
    for (const cells of rows.slice(1)) {
      const record = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c.name, cells[i]!.replace(/^'(?=[=+\-@\t\r])/, "")]));
      const parsed = csvRowSchema.safeParse(record);
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
    const legacy = rows.find((r) => r[3] === "legacy-signing" && r[5] === "key-rsa-min-size")!;
    expect(legacy[8]).toBe("fail");
    expect(legacy[10]).toBe("azure-policy:82067dbb-e53b-4e06-b631-546d197452d9; mcsb:DP-6; pci:3.6.1.1; iso-27001:A.8.24");
    expect(JSON.parse(legacy[14]!)).toEqual({ keyType: "RSA", keySize: 1024 });
  });

  it("quotes per RFC 4180 and defuses cells a spreadsheet would run as formulas", () => {
    const run = complianceFixture();
    run.results[0]!.reason = 'said "hello", then\r\nleft';
    run.results[1]!.reason = "+SUM(A1:A9)";
    run.results[2]!.reason = '@HYPERLINK("http://x")';
    const text = renderCsv(reportDocument(run));
    const rows = parseCsv(text);
    expect(rows[1]![9]).toBe('said "hello", then\r\nleft');
    expect(rows[2]![9]).toBe("'+SUM(A1:A9)");
    expect(rows[3]![9]).toBe('\'@HYPERLINK("http://x")');
    const hostile = rows.find((r) => r[3]!.includes("cmd|"))!;
    expect(hostile[3]).toBe(`'${HOSTILE_NAME}`);
    for (const cells of rows) for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe("HTML report", () => {
  it("escapes every value and loads nothing from elsewhere", () => {
    const text = renderHtml(reportDocument(complianceFixture()));
    expect(text).not.toContain("<script");
    expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(text).not.toMatch(/\s(src|href)="(?!#)/);
    expect(text).not.toMatch(/@import|url\(/);
    expect(text).toContain("Content-Security-Policy");
  });

  it("lists every certificate: subject and SANs, issuer, key, expiry, lifetime actions, who renews it", () => {
    const text = renderHtml(reportDocument(complianceFixture()));
    const table = /<table id="certificate-inventory">([\s\S]*?)<\/table>/.exec(text)?.[1] ?? "";
    const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((m) => [...m[1]!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => c[1]));
    expect(rows).toEqual([
      [
        "payments-prod",
        "api-tls",
        "CN=api.payments.contoso.com, DNS:api.payments.contoso.com",
        "Self, signed by CN=api.payments.contoso.com",
        "RSA 2048",
        `${daysFrom(25).slice(0, 10)} (in 25 days)`,
        "EmailContacts at 80% of life",
        "by kvguard",
      ],
      [
        "web-prod",
        "www-tls",
        "CN=www.contoso.com, DNS:www.contoso.com, DNS:contoso.com",
        "globalsign (GlobalSign), signed by CN=GlobalSign GCC R3 DV TLS CA 2020",
        "EC P-384",
        `${daysFrom(165).slice(0, 10)} (in 165 days)`,
        "AutoRenew 30 days before expiry",
        "by itself (AutoRenew)",
      ],
    ]);
  });
});

describe("PDF report", () => {
  it("has a fixed page count, page numbers and the failures with their reasons", async () => {
    const run = complianceFixture();
    const failing = run.results.filter((r) => r.outcome === "fail" || r.outcome === "error").length;
    const doc = reportDocument(run);
    const first = await renderPdf(doc);
    const second = await renderPdf(doc);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    const { pages, pageTexts, text } = await readPdf(first.bytes);
    expect(pages).toBe(first.pages);
    // Summary, six frameworks one page each (CIS, with every benchmark version, two), failures (two), vaults and certificates.
    expect(first.pages).toBe(11);
    pageTexts.forEach((page, i) => expect(page).toContain(`page ${i + 1} of ${first.pages}`));
    expect(text).toContain("Key Vault compliance report");
    expect(text).toContain("Summary by framework");
    expect(text).toContain(`page 1 of ${first.pages}`);
    expect(text).toContain(`page ${first.pages} of ${first.pages}`);
    expect(text).toContain("PCI DSS v4.0.1");
    expect(pageTexts.at(-1)!.replace(/\s+/g, " ")).toMatch(
      /Certificates \(2\) .*www-tls .*globalsign \(GlobalSign\).*AutoRenew 30 days before expiry by itself \(AutoRenew\)/,
    );
    expect(text).toContain("RSA 1024 bits; at least 2048 are required");
    expect(text).toContain(`Failures and errors (${failing})`);
    expect(text).toContain("the vault could not be read: 403 Forbidden");
    // The hostile name is drawn as text (wrapped in its table cell), not interpreted.
    expect(text).toContain("<script>alert(1)</script>");
  });

  it("lists at most maxFailuresPerCheck failures per check and counts the rest", async () => {
    const run = complianceFixture();
    const pdf = await renderPdf(reportDocument(run), { maxFailuresPerCheck: 1 });
    const { text } = await readPdf(pdf.bytes);
    expect(text).toContain("... and 2 more: the CSV and JSON reports list every one.");
  });
});

describe("snapshots", () => {
  it("keeps each run and shows what changed since the previous one, skipping an unreadable snapshot", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kvguard-report-"));
    dirs.push(dir);
    const store = new FolderStore(dir);
    const earlier = complianceFixture({ generatedAt: daysFrom(-30) });
    // A month ago the stripe key was within its cryptoperiod and the old key had no results yet; the RBAC check failed where it now passes.
    for (const r of earlier.results) {
      if (r.objectName === "stripe-api-key" && r.checkId === "secret-rotated-within-cryptoperiod") r.outcome = "pass";
      if (r.vault === "payments-prod" && r.checkId === "vault-rbac") r.outcome = "fail";
    }
    earlier.results.push({
      ...earlier.results.find((r) => r.checkId === "secret-content-type" && r.outcome === "fail")!,
      objectId: "https://payments-prod.vault.azure.net/secrets/removed",
      objectName: "removed",
    });
    const first = await publishReport(earlier, { store, formats: ["json"] });
    expect(first.document.changes).toMatchObject({ previous: null, trend: [{ generatedAt: daysFrom(-30) }] });
    await writeFile(join(dir, "snapshots", "all", "2026-11-01T00-00-00Z.json"), "{ not json");

    const now = await publishReport(complianceFixture(), { store, formats: ["json", "html", "csv", "pdf"] });
    expect(now.snapshot).toBe(join(dir, "snapshots", "all", "2026-11-27T06-00-00Z.json"));
    expect(now.files.map((f) => f.location)).toEqual(["json", "html", "csv", "pdf"].map((ext) => join(dir, `kvguard-compliance-2026-11-27T06-00-00Z.${ext}`)));
    const changes = now.document.changes!;
    expect(changes.previous).toBe(daysFrom(-30));
    expect(changes.newFailures.map((r) => `${r.checkId} ${r.objectName}`)).toEqual(["secret-rotated-within-cryptoperiod stripe-api-key"]);
    expect(changes.fixed.map((r) => `${r.checkId} ${r.objectName}`)).toEqual(["vault-rbac payments-prod"]);
    expect(changes.gone).toBe(1);
    expect(changes.trend.map((p) => p.generatedAt)).toEqual([daysFrom(-30), FIXTURE_AT]);
    expect(changes.unreadable).toEqual([{ name: "snapshots/all/2026-11-01T00-00-00Z.json", problem: expect.stringContaining("JSON") as string }]);
    const stored = reportDocumentSchema.parse(JSON.parse(await readFile(now.snapshot, "utf8")));
    expect(stored.changes?.previous).toBe(daysFrom(-30));
    const html = await readFile(now.files[1]!.location, "utf8");
    expect(html).toContain('<strong id="new-failures">1</strong> new failures');
  });
});
