/**
 * @module The HTML report: one self-contained page (inline CSS and SVG, no script, no external request)
 * with the summary by framework and control, change over time, the expiry timeline, rotation evidence,
 * failures, per-vault and per-object tables and the checks used. Every value goes through `html`, which
 * escapes it. Prints on A4 with a page break before each section.
 */
import type { CheckResult, InventoryItem, Outcome, VaultFacts } from "../model.js";
import { DAY_MS } from "../../common/duration.js";
import { CERTIFICATE_COLUMNS, certificateRows } from "./certificates.js";
import { consumersSection } from "./consumers.js";
import { unusedSection } from "./unused.js";
import { donut, expiryTimeline, OUTCOME_LABELS, outcomeBars, trendChart } from "./charts.js";
import { cellTable, html, Markup } from "./markup.js";
import type { ReportDocument, ResultRef } from "./schema.js";
import { FRAMEWORK_LABELS, OUTCOMES, passRate, type Totals } from "./summary.js";

const STYLE = `
:root { --pass: #2e7d32; --fail: #c62828; --na: #757575; --error: #ef6c00; --line: #ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #222; margin: 0 auto; max-width: 1180px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 36px 0 10px; border-bottom: 2px solid #333; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 22px 0 8px; } .meta { color: #555; margin: 0 0 16px; }
nav ul { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-left: 6px solid var(--na); border-radius: 4px; padding: 8px 14px; min-width: 120px; }
.card .num { display: block; font-size: 26px; font-weight: 600; }
.card[data-outcome="pass"] { border-left-color: var(--pass); } .card[data-outcome="fail"] { border-left-color: var(--fail); }
.card[data-outcome="error"] { border-left-color: var(--error); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f3f3f3; white-space: nowrap; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; white-space: nowrap; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.not-applicable { background: var(--na); } .badge.error { background: var(--error); }
.framework { display: flex; gap: 20px; align-items: flex-start; } .framework > div { flex: 1; }
.legend span { margin-right: 14px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
ul.evidence { margin: 0; padding-left: 16px; font-size: 12px; } code { font-size: 12px; }
.muted { color: #666; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; } nav { display: none; }
  h2 { break-before: page; } h2.first { break-before: auto; } h2, h3 { break-after: avoid; }
  table { font-size: 10px; } thead { display: table-header-group; } tr, .card, svg, .framework { break-inside: avoid; }
  .badge { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  svg { max-width: 100%; height: auto; }
}`;

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : "");
const badge = (o: Outcome) => html`<span class="badge ${o}">${OUTCOME_LABELS[o]}</span>`;
const rate = (t: Totals) => {
  const r = passRate(t);
  return r === null ? "–" : `${r}%`;
};
const countCells = (t: Totals) => OUTCOMES.map((o) => html`<td class="n" data-outcome="${o}">${t[o]}</td>`);
const countHeads = html`${OUTCOMES.map((o) => html`<th>${OUTCOME_LABELS[o]}</th>`)}`;
const legend = html`<p class="legend">${OUTCOMES.map((o) => html`<span><i class="badge ${o}"></i>${OUTCOME_LABELS[o]}</span>`)}</p>`;

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

function evidenceList(evidence: Record<string, unknown>): Markup {
  const entries = Object.entries(evidence);
  if (entries.length === 0) return html``;
  return html`<ul class="evidence">
    ${entries.map(([k, v]) => html`<li><code>${k}</code>: ${Array.isArray(v) ? (v.length ? v.map(String).join("; ") : "none") : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}</li>`)}
  </ul>`;
}

function header(doc: ReportDocument): Markup {
  const t = doc.summary.totals;
  return html`<header>
    <h1>Key Vault compliance report</h1>
    <p class="meta">
      Generated ${doc.generatedAt} by ${doc.generator}. Vaults: ${doc.scope.vaults.join(", ") || "none"}. Frameworks:
      ${doc.scope.frameworks.map((f) => FRAMEWORK_LABELS[f]).join(", ") || "none"}.
    </p>
    <div class="cards" id="totals" data-total="${t.total}">
      ${OUTCOMES.map((o) => html`<div class="card" data-outcome="${o}"><span class="num">${t[o]}</span>${OUTCOME_LABELS[o]}</div>`)}
      <div class="card"><span class="num" id="pass-rate">${rate(t)}</span>pass rate (pass ÷ pass + fail)</div>
      <div class="card"><span class="num">${doc.inventory.length}</span>objects</div>
    </div>
    ${
      doc.errors.length
        ? html`<p><strong>Not fully assessed:</strong></p>
            <ul>
              ${doc.errors.map((e) => html`<li>${e.vault}: ${e.message}</li>`)}
            </ul>`
        : ""
    }
    <nav>
      <ul>
        <li><a href="#frameworks">Frameworks</a></li>
        ${doc.changes ? html`<li><a href="#changes">Change over time</a></li>` : ""}
        <li><a href="#expiry">Expiry</a></li>
        <li><a href="#rotation">Rotation evidence</a></li>
        <li><a href="#consumers">Consumers</a></li>
        ${doc.unused ? html`<li><a href="#unused">Unused objects</a></li>` : ""}
        <li><a href="#failures">Failures</a></li>
        <li><a href="#vaults">Vaults and objects</a></li>
        <li><a href="#checks">Checks</a></li>
      </ul>
    </nav>
  </header>`;
}

function frameworks(doc: ReportDocument): Markup {
  const rows = doc.summary.byFramework;
  return html`<h2 id="frameworks" class="first">Summary by framework</h2>
    ${legend}${outcomeBars(rows.map((f) => ({ label: f.label, totals: f.totals })))}
    <table id="framework-summary">
      <thead>
        <tr>
          <th>Framework</th>
          ${countHeads}
          <th>total</th>
          <th>pass rate</th>
          <th>controls failing</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (f) =>
            html`<tr data-framework="${f.framework}">
              <td>${f.label}</td>
              ${countCells(f.totals)}
              <td class="n">${f.totals.total}</td>
              <td class="n">${rate(f.totals)}</td>
              <td class="n">${f.controls.filter((c) => c.status === "fail").length} of ${f.controls.length}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${rows.map(
      (f) =>
        html`<h3>${f.label}</h3>
          <div class="framework" data-framework="${f.framework}">
            ${donut(f.totals, f.label)}
            <div>
              <table>
                <thead>
                  <tr>
                    <th>Control</th>
                    <th>Title</th>
                    <th>Checks</th>
                    ${countHeads}
                    <th>Status</th>
                  </tr>
                </thead>
                <tbody>
                  ${f.controls.map(
                    (c) =>
                      html`<tr>
                        <td>${c.version ? `v${c.version} ` : ""}${f.framework === "azure-policy" ? c.control.slice(0, 8) : c.control}</td>
                        <td>${c.title ?? ""}</td>
                        <td>${c.checks.join(", ")}</td>
                        ${countCells(c.totals)}
                        <td>${badge(c.status)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
          </div>`,
    )}`;
}

function refTable(refs: readonly ResultRef[]): Markup {
  if (refs.length === 0) return html`<p class="muted">None.</p>`;
  return html`<table>
    <thead>
      <tr>
        <th>Vault</th>
        <th>Object</th>
        <th>Check</th>
        <th>Reason</th>
      </tr>
    </thead>
    <tbody>
      ${refs.map(
        (r) =>
          html`<tr>
            <td>${r.vault}</td>
            <td>${r.objectType} ${r.objectName}</td>
            <td>${r.checkId}</td>
            <td>${r.reason}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function changes(doc: ReportDocument): Markup {
  const c = doc.changes;
  if (!c) return html``;
  return html`<h2 id="changes">Change over time</h2>
    ${c.previous ? html`<p>Compared with the snapshot of ${c.previous}: <strong id="new-failures">${c.newFailures.length}</strong> new failures, <strong id="fixed">${c.fixed.length}</strong> fixed, ${c.stillFailing} still failing, ${c.gone} no longer in scope.</p>` : html`<p>This is the first snapshot: later reports compare with it.</p>`}
    ${trendChart(c.trend)}
    <table id="trend">
      <thead>
        <tr>
          <th>Snapshot</th>
          ${countHeads}
          <th>total</th>
          <th>pass rate</th>
        </tr>
      </thead>
      <tbody>
        ${c.trend.map(
          (p) =>
            html`<tr>
              <td>${p.generatedAt}</td>
              ${countCells(p.totals)}
              <td class="n">${p.totals.total}</td>
              <td class="n">${p.passRate === null ? "–" : `${p.passRate}%`}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      c.previous
        ? html`<h3>New failures</h3>
            ${refTable(c.newFailures)}
            <h3>Fixed</h3>
            ${refTable(c.fixed)}`
        : ""
    }
    ${c.unreadable.length ? html`<p class="muted">Snapshots left out: ${c.unreadable.map((u) => `${u.name} (${u.problem})`).join("; ")}</p>` : ""}`;
}

function expiry(doc: ReportDocument): Markup {
  const soon = Date.parse(doc.generatedAt) + 90 * DAY_MS;
  const items = doc.inventory
    .filter((i) => i.enabled && !i.deleted && !i.managed && i.expiresOn && Date.parse(i.expiresOn) <= soon)
    .sort((a, b) => a.expiresOn!.localeCompare(b.expiresOn!));
  return html`<h2 id="expiry">Expiry timeline</h2>
    <p>Enabled objects not awaiting purge, by the month they expire.</p>
    ${expiryTimeline(doc.summary.expiry)}
    <h3>Expired or expiring within 90 days (${items.length})</h3>
    ${
      items.length
        ? html`<table>
            <thead>
              <tr>
                <th>Vault</th>
                <th>Type</th>
                <th>Name</th>
                <th>Expires</th>
                <th>Newest version</th>
                <th>Rotation policy</th>
              </tr>
            </thead>
            <tbody>
              ${items.map(
                (i) =>
                  html`<tr>
                    <td>${i.vault}</td>
                    <td>${i.type}</td>
                    <td>${i.name}</td>
                    <td>${day(i.expiresOn)}${i.expiresOn! < doc.generatedAt ? html` ${badge("fail")}` : ""}</td>
                    <td>${day(i.latestVersionCreated)}</td>
                    <td>${i.tags["kvguard-rotator"] ?? "none"}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted">None.</p>`
    }`;
}

function certificates(doc: ReportDocument): Markup {
  const rows = certificateRows(doc.inventory, doc.generatedAt);
  return html`<h2 id="certificates">Certificates (${rows.length})</h2>
    <p>
      Every certificate with its subject and SANs, issuer, key, expiry and lifetime actions, and who renews it: Key Vault by itself (an AutoRenew action and an
      issuer Key Vault renews with), kvguard (such an issuer without AutoRenew), or a person (issuer Unknown: imported or signed elsewhere).
    </p>
    ${rows.length ? cellTable("certificate-inventory", CERTIFICATE_COLUMNS, rows) : html`<p class="muted">No certificates.</p>`}`;
}

function rotation(doc: ReportDocument): Markup {
  const rows = doc.summary.rotation;
  return html`<h2 id="rotation">Rotation evidence</h2>
    <p>
      For each secret and key: its newest version's age, its version count, and what the rotation checks found (kvguard's rotation history and the audit records
      they used).
    </p>
    ${
      rows.length
        ? html`<table>
            <thead>
              <tr>
                <th>Vault</th>
                <th>Object</th>
                <th>Versions</th>
                <th>Newest version</th>
                <th>Age (days)</th>
                <th>Result</th>
                <th>Evidence</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (r) =>
                  html`<tr>
                    <td>${r.vault}</td>
                    <td>${r.type} ${r.name}</td>
                    <td class="n">${r.versions ?? ""}</td>
                    <td>${day(r.latestVersionCreated)}</td>
                    <td class="n">${r.ageDays ?? ""}</td>
                    <td>
                      ${r.results.length ? r.results.map((x) => html`<div>${badge(x.outcome)} ${x.checkId}: ${x.reason}</div>`) : html`<span class="muted">no rotation check</span>`}
                    </td>
                    <td>${r.results.map((x) => evidenceList(x.evidence))}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted">No secrets or keys.</p>`
    }`;
}

function failures(doc: ReportDocument): Markup {
  const checks = new Map(doc.checks.map((c) => [c.id, c]));
  const failing = doc.results.filter((r) => r.outcome === "fail" || r.outcome === "error");
  const byCheck = groupBy(failing, (r) => r.checkId);
  return html`<h2 id="failures">Failures and errors (${failing.length})</h2>
    ${[...byCheck].map(([id, results]) => {
      const check = checks.get(id);
      return html`<h3>${check?.title ?? id} <span class="muted">(${id}, ${check?.severity ?? "?"})</span></h3>
        <p>${check?.remediation ?? ""}</p>
        <table>
          <thead>
            <tr>
              <th>Vault</th>
              <th>Object</th>
              <th>Outcome</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            ${results.map(
              (r) =>
                html`<tr>
                  <td>${r.vault}</td>
                  <td>${r.objectType} ${r.objectName}</td>
                  <td>${badge(r.outcome)}</td>
                  <td>${r.reason}</td>
                </tr>`,
            )}
          </tbody>
        </table>`;
    })}`;
}

function vaultFacts(v: VaultFacts): Markup {
  const yes = (b: boolean | undefined) => (b === undefined ? "unknown" : b ? "yes" : "no");
  return html`<table class="facts">
    <tbody>
      <tr>
        <th>URL</th>
        <td>${v.url}</td>
        <th>Resource id</th>
        <td>${v.resourceId ?? "unknown"}</td>
      </tr>
      <tr>
        <th>Soft delete</th>
        <td>${yes(v.softDeleteEnabled)}${v.softDeleteRetentionDays ? ` (${v.softDeleteRetentionDays} days)` : ""}</td>
        <th>Purge protection</th>
        <td>${yes(v.purgeProtectionEnabled)}</td>
      </tr>
      <tr>
        <th>RBAC permission model</th>
        <td>${yes(v.rbacAuthorization)}</td>
        <th>Public network access</th>
        <td>${v.publicNetworkAccess ?? "unknown"} (firewall default ${v.firewallDefaultAction ?? "unknown"})</td>
      </tr>
      <tr>
        <th>Private endpoints</th>
        <td>${v.privateEndpoints ?? "unknown"}</td>
        <th>AuditEvent diagnostics</th>
        <td>${v.auditDiagnostics ? v.auditDiagnostics.map((d) => d.name).join(", ") || "none" : "unknown"}</td>
      </tr>
      <tr>
        <th>Data-plane access</th>
        <td colspan="3">
          ${
            v.access
              ? v.access.length
                ? html`<ul class="evidence">
                    ${v.access.map((a) => html`<li>${a.principalId}${a.principalType ? ` (${a.principalType})` : ""}: ${a.role} at ${a.scope}</li>`)}
                  </ul>`
                : "nobody"
              : "unknown"
          }
        </td>
      </tr>
    </tbody>
  </table>`;
}

function objectRows(items: readonly InventoryItem[], results: ReadonlyMap<string, CheckResult[]>): Markup {
  return html`<table>
    <thead>
      <tr>
        <th>Type</th>
        <th>Name</th>
        <th>Enabled</th>
        <th>Created</th>
        <th>Expires</th>
        <th>Newest version</th>
        <th>Key</th>
        <th>Results</th>
      </tr>
    </thead>
    <tbody>
      ${items.map((i) => {
        const own = results.get(i.id) ?? [];
        const bad = own.filter((r) => r.outcome === "fail" || r.outcome === "error");
        return html`<tr>
          <td>${i.type}</td>
          <td>${i.name}${i.deleted ? html` <span class="muted">(deleted, purge ${day(i.deleted.scheduledPurgeDate)})</span>` : ""}</td>
          <td>${i.enabled ? "yes" : "no"}</td>
          <td>${day(i.created)}</td>
          <td>${day(i.expiresOn)}</td>
          <td>${day(i.latestVersionCreated)}${i.versions ? ` (${i.versions} versions)` : ""}</td>
          <td>${[i.keyType, i.keySize, i.curve].filter(Boolean).join(" ")}</td>
          <td>${own.filter((r) => r.outcome === "pass").length} pass${bad.map((r) => html`<div>${badge(r.outcome)} ${r.checkId}: ${r.reason}</div>`)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

function vaults(doc: ReportDocument): Markup {
  const results = groupBy(doc.results, (r) => r.objectId);
  const summaries = new Map(doc.summary.byVault.map((v) => [v.vault, v]));
  return html`<h2 id="vaults">Vaults and objects</h2>
    <table id="vault-summary">
      <thead>
        <tr>
          <th>Vault</th>
          <th>Objects</th>
          ${countHeads}
          <th>pass rate</th>
        </tr>
      </thead>
      <tbody>
        ${doc.summary.byVault.map(
          (v) =>
            html`<tr data-vault="${v.vault}">
              <td>${v.vault}</td>
              <td class="n">${v.objects}</td>
              ${countCells(v.totals)}
              <td class="n">${rate(v.totals)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${doc.vaults.map((v) => {
      const items = doc.inventory.filter((i) => i.vault === v.name);
      const own = (results.get(v.resourceId ?? v.url) ?? []).filter((r) => r.objectType === "vault");
      return html`<h3>${v.name}${v.location ? ` (${v.location})` : ""}</h3>
        ${v.error ? html`<p>${badge("error")} ${v.error}</p>` : ""}${vaultFacts(v)}
        ${
          own.length
            ? html`<table>
                <thead>
                  <tr>
                    <th>Vault check</th>
                    <th>Outcome</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  ${own.map(
                    (r) =>
                      html`<tr>
                        <td>${r.checkId}</td>
                        <td>${badge(r.outcome)}</td>
                        <td>${r.reason}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
            : ""
        }
        ${items.length ? objectRows(items, results) : html`<p class="muted">${summaries.get(v.name)?.error ? "Objects could not be listed." : "No objects."}</p>`}`;
    })}`;
}

function checks(doc: ReportDocument): Markup {
  return html`<h2 id="checks">Checks used</h2>
    <table>
      <thead>
        <tr>
          <th>Check</th>
          <th>Scope</th>
          <th>Severity</th>
          <th>Parameters</th>
          <th>Controls</th>
          <th>Why, and the fix</th>
        </tr>
      </thead>
      <tbody>
        ${doc.checks.map(
          (c) =>
            html`<tr>
              <td><strong>${c.title}</strong><br /><code>${c.id}</code></td>
              <td>${c.scope}</td>
              <td>${c.severity}</td>
              <td>${Object.entries(c.parameters).map(([k, v]) => html`<div><code>${k}</code> = ${Array.isArray(v) ? v.join(", ") : String(v)}</div>`)}</td>
              <td>${c.controls.map((r) => html`<div>${FRAMEWORK_LABELS[r.framework]} ${r.version ? `v${r.version} ` : ""}${r.control}</div>`)}</td>
              <td>${c.rationale} ${c.remediation}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function renderHtml(doc: ReportDocument): string {
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:" />
        <title>Key Vault compliance report ${doc.generatedAt.slice(0, 10)}</title>
        <style>
          ${new Markup(STYLE)}
        </style>
      </head>
      <body>
        ${header(doc)}${frameworks(doc)}${changes(doc)}${expiry(doc)}${certificates(doc)}${rotation(doc)}${consumersSection(doc)}${unusedSection(doc)}${failures(doc)}${vaults(doc)}${checks(doc)}
        <footer class="muted">
          <p>
            kvguard compliance report, schema ${doc.schema} v${doc.schemaVersion}. The CSV and JSON reports of this run hold every result with its evidence.
          </p>
        </footer>
      </body>
    </html> `;
  return page.text;
}
