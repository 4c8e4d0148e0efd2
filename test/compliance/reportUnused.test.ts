/**
 * @module The report's unused objects end to end on the local stack: the local Key Vault's audit folder read by
 * the app's audit scan (three scans over 120 days of the vault's clock, so the baseline learns each object's
 * last read and each vault's coverage), then `kvguard report` (the built CLI): the JSON lists per vault the
 * objects nobody read in KVGUARD_AUDIT_UNUSED_DAYS days, a vault whose audit data is shorter is "unknown",
 * and the HTML and PDF show the same; no secret value in any file.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app/index.js";
import { DAY_MS } from "../../src/common/duration.js";
import { reportDocumentSchema } from "../../src/compliance/report/schema.js";
import { runCli } from "../helpers/cli.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { flushAudit } from "../helpers/localVault.js";
import { readPdf } from "../helpers/pdf.js";

let stack: LocalStack;
let env: Record<string, string>;
let dir: string;

const VALUE = "unused-value-Hk37";

async function scan(): Promise<void> {
  await flushAudit(stack.tv.kv);
  const app = createApp(env, { log: () => undefined });
  try {
    await app.auditScan();
  } finally {
    await app.close();
  }
}

function advanceDays(days: number): void {
  stack.tv.kv.clock.advance((days * DAY_MS) / 1000);
}

beforeAll(async () => {
  [stack, dir] = await Promise.all([startLocalStack({ vaults: ["shop", "fresh"] }), mkdtemp(join(tmpdir(), "kvguard-unused-"))]);
  env = { ...stack.env, KVGUARD_AUDIT_FOLDER: stack.tv.kv.audit.rootDir, KVGUARD_AUDIT_UNUSED_DAYS: "90" };
  const shop = stack.tv.clients({ name: "ops" }, "shop");
  const app = stack.tv.clients({ name: "billing-app" }, "shop").secrets;
  await shop.secrets.setSecret("used-token", VALUE);
  await shop.secrets.setSecret("idle-token", VALUE);
  await shop.keys.createRsaKey("idle-key", { keySize: 2048 });
  await app.getSecret("used-token");
  await scan();
  advanceDays(100);
  await app.getSecret("used-token");
  await shop.secrets.setSecret("late-token", VALUE);
  await stack.tv.clients({ name: "ops" }, "fresh").secrets.setSecret("fresh-token", VALUE);
  await scan();
  advanceDays(20);
  await app.getSecret("used-token");
  await scan();
});

afterAll(async () => {
  await Promise.all([stack?.stop(), dir && rm(dir, { recursive: true, force: true })]);
});

describe("unused objects in the compliance report", () => {
  it("lists per vault what nobody read in 90 days, and says unknown where the audit data is shorter", async () => {
    const out = join(dir, "report");
    const { code, stdout, stderr } = await runCli(["report", "--out", out], env);
    expect(code, stderr).toBe(0);
    const [htmlPath, , jsonPath, pdfPath] = stdout.trim().split("\n");
    const doc = reportDocumentSchema.parse(JSON.parse(await readFile(jsonPath!, "utf8")));
    const shop = doc.unused!.vaults.find((v) => v.vault === "shop")!;
    const fresh = doc.unused!.vaults.find((v) => v.vault === "fresh")!;
    expect(doc.unused!.days).toBe(90);
    expect(shop).toMatchObject({ status: "judged", coverage: { days: 120 } });
    // used-token was read 20 days ago; late-token is younger than 90 days: neither is listed.
    expect(shop.objects).toEqual([
      { type: "key", name: "idle-key", lastReadAt: null, idleDays: 120 },
      { type: "secret", name: "idle-token", lastReadAt: null, idleDays: 120 },
    ]);
    expect(shop.text).toMatch(/^2 object\(s\) nobody read in the 90 days to \d{4}-\d\d-\d\d \(audit covers 120 days, from \d{4}-\d\d-\d\d\)$/);
    expect(fresh).toMatchObject({ status: "unknown", text: "unknown (audit covers only 20 days)", objects: [], coverage: { days: 20 } });

    const html = await readFile(htmlPath!, "utf8");
    expect(html).toContain('<h2 id="unused">Unused objects</h2>');
    expect(html).toContain("<strong>fresh</strong>: unknown (audit covers only 20 days)");
    expect(html).toMatch(/<td>shop<\/td>\s*<td>secret<\/td>\s*<td>idle-token<\/td>\s*<td>not in the audit data<\/td>\s*<td>120<\/td>/);
    const pdf = await readPdf(pdfPath!);
    expect(pdf.text).toContain("Unused objects (90 days)");
    expect(pdf.text).toContain("fresh: unknown (audit covers only 20 days)");
    for (const path of stdout.trim().split("\n")) expect(await readFile(path, "latin1")).not.toContain(VALUE);
  });

  it("without an audit source the section says why nothing is judged", async () => {
    const { KVGUARD_AUDIT_FOLDER: _folder, ...noAudit } = env;
    const { code, stdout } = await runCli(["report", "--out", join(dir, "no-audit"), "--format", "json"], noAudit);
    expect(code).toBe(0);
    const doc = reportDocumentSchema.parse(JSON.parse(await readFile(stdout.split("\n")[0]!, "utf8")));
    expect(doc.unused!.note).toContain("no audit source is configured");
    expect(doc.unused!.vaults.every((v) => v.status === "unknown" && v.objects.length === 0)).toBe(true);
  });
});
