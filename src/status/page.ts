/**
 * @module The status page as one self-contained HTML document (inline CSS and SVG, no script, no external
 * request), drawn with the compliance report's markup and trend chart. Every value goes through `html`,
 * which escapes it: an object name or an error message holding markup prints as text.
 */
import { SEVERITIES, type Severity } from "../audit/finding.js";
import { trendChart } from "../compliance/report/charts.js";
import { html, Markup } from "../compliance/report/markup.js";
import type { PlanAction, PlanItem } from "../plan/plan.js";
import type { StatusPage, VaultStatus } from "./model.js";
import { RENEWAL_LABELS } from "../notices/renewers.js";
import type { CertificateRow } from "./certificates.js";
import { DAY_MS } from "../common/duration.js";

const ACTION_COLOURS: Record<PlanAction, string> = { rotate: "#1565c0", renew: "#2e7d32", revoke: "#ef6c00", expire: "#c62828" };
const SEVERITY_COLOURS: Record<Severity, string> = { low: "#9e9e9e", medium: "#ef6c00", high: "#c62828" };
const STATE_CLASS: Record<keyof VaultStatus["states"], string> = {
  ok: "good",
  failing: "warn",
  failed: "bad",
  "invalid-policy": "bad",
  refused: "bad",
  "no-policy": "",
};

const STYLE = `
* { box-sizing: border-box; }
body { font: 14px/1.45 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #222; margin: 0 auto; max-width: 1180px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 32px 0 10px; border-bottom: 2px solid #333; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 8px; } .meta, .muted { color: #666; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.card { border: 1px solid #ddd; border-left: 6px solid #9e9e9e; border-radius: 4px; padding: 6px 12px; min-width: 110px; }
.card .num { display: block; font-size: 24px; font-weight: 600; }
.card.good { border-left-color: #2e7d32; } .card.warn { border-left-color: #ef6c00; } .card.bad { border-left-color: #c62828; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 8px 24px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f3f3f3; white-space: nowrap; }
.legend span { margin-right: 14px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.problem { color: #c62828; } tr.needs-person td { background: #fdecea; }`;

const when = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace("T", " ") : "");

/** The next 30 days as a month-style grid of weeks (Monday first); each day shows what happens, coloured by action. */
export function calendar(items: readonly PlanItem[], fromIso: string, days: number): Markup {
  const start = Date.parse(fromIso.slice(0, 10));
  const offset = (new Date(start).getUTCDay() + 6) % 7;
  const cell = 96;
  const head = 20;
  const cellHeight = 62;
  const weeks = Math.ceil((offset + days) / 7);
  const byDay = new Map<number, PlanItem[]>();
  for (const item of items) {
    const index = Math.floor((Date.parse(item.at.slice(0, 10)) - start) / DAY_MS);
    byDay.set(index, [...(byDay.get(index) ?? []), item]);
  }
  const names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map((d, i) => html`<text x="${i * cell + 4}" y="14" font-size="11" fill="#666">${d}</text>`);
  const cells: Markup[] = [];
  for (let slot = 0; slot < weeks * 7; slot++) {
    const index = slot - offset;
    const x = (slot % 7) * cell;
    const y = head + Math.floor(slot / 7) * cellHeight;
    const inRange = index >= 0 && index < days;
    const date = new Date(start + index * DAY_MS).toISOString().slice(0, 10);
    const due = inRange ? (byDay.get(index) ?? []) : [];
    const counts = (["rotate", "renew", "revoke", "expire"] as const)
      .map((action) => ({ action, n: due.filter((i) => i.action === action).length }))
      .filter((c) => c.n > 0);
    const marks = counts.map(
      (c, i) =>
        html`<rect x="${x + 6}" y="${y + 22 + i * 12}" width="8" height="8" fill="${ACTION_COLOURS[c.action]}" /><text
            x="${x + 18}"
            y="${y + 30 + i * 12}"
            font-size="10"
            >${c.n} ${c.action}</text
          >`,
    );
    const title = due.length ? due.map((i) => `${i.action} ${i.kind} ${i.name}${i.overdue ? " (overdue)" : ""}`).join("\n") : date;
    cells.push(
      html`<g data-day="${inRange ? date : ""}" data-due="${due.length}"
        ><title>${title}</title
        ><rect
          x="${x + 1}"
          y="${y + 1}"
          width="${cell - 2}"
          height="${cellHeight - 2}"
          fill="${inRange ? (due.length ? "#f5f9ff" : "#fff") : "#f4f4f4"}"
          stroke="${index === 0 ? "#333" : "#ddd"}"
        /><text x="${x + 6}" y="${y + 15}" font-size="11" fill="${inRange ? "#222" : "#aaa"}">${date.slice(5)}</text>${marks}</g
      >`,
    );
  }
  const width = 7 * cell;
  const height = head + weeks * cellHeight;
  return html`<svg class="calendar" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
    <title>What is due in the next ${days} days</title>
    ${names}${cells}
  </svg>`;
}

/** Open findings by severity: one bar each. */
export function severityBars(counts: Record<Severity, number>, width = 420): Markup {
  const max = Math.max(1, ...SEVERITIES.map((s) => counts[s]));
  const rows = [...SEVERITIES].reverse().map((s, i) => {
    const w = (counts[s] / max) * (width - 120);
    return html`<text x="0" y="${i * 26 + 17}" font-size="12">${s}</text
      ><rect x="70" y="${i * 26 + 4}" width="${Math.round(w)}" height="18" fill="${SEVERITY_COLOURS[s]}"><title>${s}: ${counts[s]}</title></rect
      ><text x="${Math.round(76 + w)}" y="${i * 26 + 17}" font-size="12">${counts[s]}</text>`;
  });
  return html`<svg class="severity" role="img" width="${width}" height="80" viewBox="0 0 ${width} 80">
    <title>Open findings by severity</title>
    ${rows}
  </svg>`;
}

function expiryCell(c: CertificateRow): string {
  if (!c.expiresOn || c.daysLeft === undefined) return "not issued yet";
  return `${c.expiresOn.slice(0, 10)} (${c.daysLeft < 0 ? `expired ${-c.daysLeft} days ago` : `in ${c.daysLeft} days`})`;
}

/** Every certificate with who renews it; one a person must renew stands out. */
export function certificateTable(rows: readonly CertificateRow[]): Markup {
  if (!rows.length) return html`<p class="muted">No certificates.</p>`;
  return html`<table class="certificates">
    <thead>
      <tr>
        <th>certificate</th>
        <th>subject and SANs</th>
        <th>issuer</th>
        <th>key</th>
        <th>expires</th>
        <th>lifetime actions</th>
        <th>renewed</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (c) =>
          html`<tr data-certificate="${c.name}" data-renewed="${c.renewedBy}" class="${c.renewedBy === "nobody" || c.problem ? "needs-person" : ""}">
            <td>${c.name}${c.enabled ? "" : " (disabled)"}</td>
            <td>${[c.subject ?? "", ...c.sans].filter(Boolean).join(", ") || "unknown"}</td>
            <td>${c.issuer}</td>
            <td>${c.key}</td>
            <td>${expiryCell(c)}</td>
            <td>${c.lifetimeActions.join("; ") || "none"}</td>
            <td>${c.problem ? `could not be read: ${c.problem}` : html`${RENEWAL_LABELS[c.renewedBy]}<br /><span class="muted">${c.why}</span>`}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function vaultSection(v: VaultStatus, page: StatusPage): Markup {
  // No-policy objects are not tracked in the status table (only those a rotation was asked of): no card.
  const states = (Object.keys(v.states) as (keyof VaultStatus["states"])[])
    .filter((s) => s !== "no-policy")
    .map((s) => html`<div class="card ${STATE_CLASS[s]}" data-state="${s}"><span class="num">${v.states[s]}</span>${s}</div>`);
  const problems = v.plan.problems.length
    ? html`<table>
        <thead>
          <tr>
            <th>object</th>
            <th>problem</th>
            <th>why</th>
          </tr>
        </thead>
        <tbody>
          ${v.plan.problems.map(
            (p) =>
              html`<tr class="problem">
                <td>${p.kind} ${p.name}</td>
                <td>${p.problem}</td>
                <td>${p.message}</td>
              </tr>`,
          )}
        </tbody>
      </table>`
    : html`<p class="muted">No invalid policy and no failing rotation.</p>`;
  const failures = v.lastFailures.length
    ? html`<table>
        <thead>
          <tr>
            <th>when</th>
            <th>object</th>
            <th>step</th>
            <th>message</th>
          </tr>
        </thead>
        <tbody>
          ${v.lastFailures.map(
            (f) =>
              html`<tr>
                <td>${when(f.at)}</td>
                <td>${f.name}</td>
                <td>${f.step}</td>
                <td>${f.message}</td>
              </tr>`,
          )}
        </tbody>
      </table>`
    : html`<p class="muted">No failed step in the rotation history.</p>`;
  const upcoming = v.plan.items.length
    ? html`<table>
        <thead>
          <tr>
            <th>when</th>
            <th>action</th>
            <th>object</th>
            <th>why</th>
          </tr>
        </thead>
        <tbody>
          ${v.plan.items.map(
            (i) =>
              html`<tr>
                <td>${i.overdue ? "overdue" : when(i.at)}</td>
                <td>${i.action}</td>
                <td>${i.kind} ${i.name}</td>
                <td>${i.why}</td>
              </tr>`,
          )}
        </tbody>
      </table>`
    : html`<p class="muted">Nothing rotates, expires or is revoked in the next ${page.days} days.</p>`;
  const findings = v.latestFindings.length
    ? html`<table>
        <thead>
          <tr>
            <th>severity</th>
            <th>detector</th>
            <th>last seen</th>
            <th>summary</th>
          </tr>
        </thead>
        <tbody>
          ${v.latestFindings.map(
            (f) =>
              html`<tr>
                <td>${f.severity}</td>
                <td>${f.detector}</td>
                <td>${when(f.end)}</td>
                <td>${f.summary}</td>
              </tr>`,
          )}
        </tbody>
      </table>`
    : html``;
  const consumers = v.consumers.length
    ? html`<table>
        <thead>
          <tr>
            <th>secret</th>
            <th>consumers</th>
            <th>on the old version</th>
            <th>counted</th>
          </tr>
        </thead>
        <tbody>
          ${v.consumers.map(
            (c) =>
              html`<tr>
                <td>${c.name}</td>
                <td>${c.source === "failed" ? "audit log unreadable" : String(c.consumers ?? 0)}</td>
                <td>${c.source === "failed" ? `${c.readFailures ?? 1} failed reads: ${c.lastFailure ?? ""}` : String(c.onOldVersion ?? 0)}</td>
                <td>${when(c.at)}</td>
              </tr>`,
          )}
        </tbody>
      </table>`
    : html`<p class="muted">No revoke has looked at consumers yet.</p>`;
  const trend = v.trend.some((p) => p.totals.total > 0)
    ? trendChart(v.trend, 560)
    : html`<p class="muted">No compliance report snapshot covers this vault yet.</p>`;
  return html`<section data-vault="${v.vault}">
    <h2>Vault ${v.vault}</h2>
    ${v.plan.error ? html`<p class="problem">The vault could not be read: ${v.plan.error}</p>` : ""}
    <h3>Rotation status</h3>
    <div class="cards">${states}</div>
    ${problems}
    <h3>Last failures</h3>
    ${failures}
    <h3>Due in the next ${page.days} days</h3>
    <p class="legend">
      <span><i style="background:${ACTION_COLOURS.rotate}"></i>rotate</span><span><i style="background:${ACTION_COLOURS.renew}"></i>renew certificate</span
      ><span><i style="background:${ACTION_COLOURS.revoke}"></i>revoke previous credential</span
      ><span><i style="background:${ACTION_COLOURS.expire}"></i>expire</span>
    </p>
    ${calendar(v.plan.items, page.generatedAt, page.days)} ${upcoming}
    <h3>Certificates</h3>
    ${certificateTable(v.certificates)}
    <h3>Consumers of rotated secrets</h3>
    ${consumers}
    <div class="grid">
      <div>
        <h3>Open findings by severity</h3>
        ${severityBars(v.findings)}${findings}
      </div>
      <div>
        <h3>Compliance trend</h3>
        ${trend}
      </div>
    </div>
  </section>`;
}

export function renderStatusPage(page: StatusPage): string {
  const unavailable = page.unavailable.length
    ? html`<p class="problem">Not shown: ${page.unavailable.map((u) => `${u.source} (${u.problem})`).join("; ")}</p>`
    : "";
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>kvguard status</title>
        <style>
          ${new Markup(STYLE)}
        </style>
      </head>
      <body>
        <h1>kvguard status</h1>
        <p class="meta">At ${when(page.generatedAt)} UTC, ${page.vaults.length} vaults; what is due covers the next ${page.days} days.</p>
        ${page.notes.map((n) => html`<p class="note">${n}</p>`)} ${unavailable} ${page.vaults.map((v) => vaultSection(v, page))}
      </body>
    </html> `.text;
}
