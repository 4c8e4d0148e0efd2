/**
 * @module The lists and rules around the detectors: CIDR matching (IPv4, IPv6, mapped), threat-intel
 * files with comments and bad lines named, suppression files (YAML and JSON) matching by detector,
 * principal, IP range and object, and known-benign records.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { benignReason } from "../../src/audit/benign.js";
import type { Finding } from "../../src/audit/finding.js";
import { loadInputs } from "../../src/audit/inputs.js";
import { matchCidr, networkOf, parseCidr, parseCidrList } from "../../src/common/network.js";
import type { AuditRecord } from "../../src/audit/record.js";
import { loadSuppressions } from "../../src/audit/suppressions.js";

const dir = mkdtempSync(join(tmpdir(), "kvguard-audit-rules-"));

describe("networks", () => {
  it("matches IPv4, IPv6 and IPv4-mapped addresses against ranges", () => {
    const list = parseCidrList("10.0.0.0/8\n# comment\n2001:db8::/32, 192.0.2.7 # one address\n");
    expect(matchCidr("10.200.3.4", list)?.text).toBe("10.0.0.0/8");
    expect(matchCidr("::ffff:10.1.1.1", list)?.text).toBe("10.0.0.0/8");
    expect(matchCidr("2001:db8:1::5", list)?.text).toBe("2001:db8::/32");
    expect(matchCidr("192.0.2.7", list)?.text).toBe("192.0.2.7");
    expect(matchCidr("192.0.2.8", list)).toBeUndefined();
    expect(matchCidr("<Redacted>", list)).toBeUndefined();
    expect(networkOf("203.0.113.57")).toBe("203.0.113.0/24");
    expect(networkOf("2001:db8:aa:bb::1")).toBe("2001:db8:aa::/48");
  });

  it("names each bad entry with its line", () => {
    expect(() => parseCidrList("10.0.0.0/8\nnot-an-ip\n10.0.0.0/33", "tor.txt")).toThrow(
      /tor\.txt:2: "not-an-ip" is not an IP[\s\S]*tor\.txt:3: .*prefix length/,
    );
    expect(() => parseCidr("10.0.0.0/")).toThrow(/prefix length/);
  });

  it("reads a threat-intel file and reports a missing one", async () => {
    const path = join(dir, "ti.txt");
    writeFileSync(path, "# TOR exits\n185.220.101.0/24\n");
    const { inputs } = await loadInputs({ threatIntelFile: path, allowedNetworks: "10.0.0.0/8", canaries: ["Payments/DB"] });
    expect(inputs.threatIntel.map((c) => c.text)).toEqual(["185.220.101.0/24"]);
    expect(inputs.canaries).toEqual(["payments/db"]);
    await expect(loadInputs({ threatIntelFile: join(dir, "missing.txt") })).rejects.toThrow(/cannot read threat-intel file .*missing\.txt/);
  });
});

const finding: Finding = {
  id: "a".repeat(32),
  detector: "impact_destructive_operation",
  severity: "high",
  vault: "payments",
  principal: { oid: "11111111-0000-4000-8000-000000000001", upn: "ops@contoso.example" },
  ip: "10.20.1.2",
  object: "payments/secrets/legacy-db",
  start: "2026-01-01T00:00:00.000Z",
  end: "2026-01-01T00:00:00.000Z",
  count: 1,
  summary: "s",
  evidence: [],
  baseline: null,
};

describe("suppressions", () => {
  it("drops findings matching every field a rule sets, counting per rule", async () => {
    const path = join(dir, "suppressions.yaml");
    writeFileSync(
      path,
      [
        "suppressions:",
        "  - detector: impact_destructive_operation",
        "    principal: OPS@contoso.example",
        "    reason: the operations team cleans up",
        "  - ip: 10.20.0.0/16",
        "    object: payments/legacy-*",
        "    reason: migration hosts",
      ].join("\n"),
    );
    const rules = await loadSuppressions(path);
    expect(rules.match(finding)?.reason).toBe("the operations team cleans up");
    expect(rules.match({ ...finding, principal: {} })?.reason).toBe("migration hosts");
    expect(rules.match({ ...finding, principal: {}, ip: "10.21.0.1" })).toBeUndefined();
    expect(rules.match({ ...finding, principal: {}, object: "payments/secrets/current-db" })).toBeUndefined();
    expect(rules.dropped).toEqual([1, 1]);
  });

  it("rejects rules without a reason or without any field, and unknown fields", async () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, JSON.stringify({ suppressions: [{ detector: "x" }, { reason: "nothing" }, { reason: "r", vault: "v" }] }));
    const error = await loadSuppressions(path).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(error).toMatch(/every suppression needs a reason\s+→ at suppressions\[0\]/);
    expect(error).toMatch(/must set detector, principal, ip or object\s+→ at suppressions\[1\]/);
    expect(error).toMatch(/Unrecognized key: "vault"\s+→ at suppressions\[2\]/);
  });
});

describe("known-benign records", () => {
  const base = { status: 200, operation: "SecretGet", principal: { oid: "o", appid: "a" } } as unknown as AuditRecord;
  it.each([
    [{ status: 401, operation: "Authentication", principal: {} }, "challenge"],
    [{ operation: "VaultGet", principal: { appid: "509e4652-da8d-478d-a730-e9d4a1996ca4" } }, "azure-scanner"],
    [{ status: 403, principal: { appid: "abfa0a7c-a6b6-4736-8310-5855508787cd" } }, "app-service-reference"],
    [{ principal: { oid: "SELF-OID" } }, "kvguard"],
    [{ status: 401, principal: { oid: "o" } }, undefined],
    [{ operation: "SecretGet", principal: { appid: "509e4652-da8d-478d-a730-e9d4a1996ca4" } }, undefined],
  ])("%j → %s", (fields, reason) => {
    expect(benignReason({ ...base, ...fields }, new Set(["self-oid"]))).toBe(reason);
  });
});
