/**
 * @module The HTML report's charts as inline SVG (no script, no external request, prints as vectors): a
 * donut and stacked bars of outcomes, the expiry timeline and the trend across snapshots.
 */
import type { Outcome } from "../model.js";
import { html, type Markup } from "./markup.js";
import { OUTCOMES, type ExpiryBucket, type Totals } from "./summary.js";

export const OUTCOME_COLOURS: Record<Outcome, string> = { pass: "#2e7d32", fail: "#c62828", "not-applicable": "#9e9e9e", error: "#ef6c00" };
export const OUTCOME_LABELS: Record<Outcome, string> = { pass: "pass", fail: "fail", "not-applicable": "n/a", error: "error" };

const round = (n: number) => Math.round(n * 100) / 100;

/** A ring split by outcome, the total in its middle. */
export function donut(totals: Totals, label: string, size = 120): Markup {
  const r = size / 2 - 12;
  const c = 2 * Math.PI * r;
  let offset = 0;
  const segments = OUTCOMES.filter((o) => totals[o] > 0).map((o) => {
    const length = (totals[o] / totals.total) * c;
    const segment = html`<circle
      r="${round(r)}"
      cx="${size / 2}"
      cy="${size / 2}"
      fill="none"
      stroke="${OUTCOME_COLOURS[o]}"
      stroke-width="16"
      stroke-dasharray="${round(length)} ${round(c - length)}"
      stroke-dashoffset="${round(-offset)}"
      ><title>${OUTCOME_LABELS[o]}: ${totals[o]}</title></circle
    >`;
    offset += length;
    return segment;
  });
  return html`<svg class="donut" role="img" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
    <title>${label}: ${OUTCOMES.map((o) => `${OUTCOME_LABELS[o]} ${totals[o]}`).join(", ")}</title>
    <circle r="${round(r)}" cx="${size / 2}" cy="${size / 2}" fill="none" stroke="#eee" stroke-width="16" />
    <g transform="rotate(-90 ${size / 2} ${size / 2})">${segments}</g>
    <text x="50%" y="50%" text-anchor="middle" dominant-baseline="central" font-size="18" font-weight="600">${totals.total}</text>
  </svg>`;
}

/** One horizontal bar per row, split by outcome, scaled to the row's own total (shares, not counts). */
export function outcomeBars(rows: readonly { label: string; totals: Totals }[], width = 640): Markup {
  const labelWidth = 240;
  const barWidth = width - labelWidth - 60;
  const rowHeight = 26;
  const bars = rows.map((row, i) => {
    const y = i * rowHeight;
    let x = labelWidth;
    const parts = OUTCOMES.filter((o) => row.totals[o] > 0).map((o) => {
      const w = (row.totals[o] / row.totals.total) * barWidth;
      const part = html`<rect x="${round(x)}" y="${y + 4}" width="${round(w)}" height="18" fill="${OUTCOME_COLOURS[o]}"
        ><title>${row.label}: ${OUTCOME_LABELS[o]} ${row.totals[o]}</title></rect
      >`;
      x += w;
      return part;
    });
    return html`<text x="0" y="${y + 17}" font-size="12">${row.label}</text>${parts}<text x="${labelWidth + barWidth + 6}" y="${y + 17}" font-size="12"
        >${row.totals.total}</text
      >`;
  });
  const height = Math.max(rowHeight, rows.length * rowHeight);
  return html`<svg class="bars" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
    <title>Outcomes by framework</title>
    ${bars}
  </svg>`;
}

function bucketLabel(label: string): string {
  if (label === "expired" || label === "later" || label === "none") return label;
  const [year, month] = label.split("-");
  return `${new Date(Date.UTC(Number(year), Number(month) - 1, 1)).toLocaleString("en", { month: "short", timeZone: "UTC" })} ${year!.slice(2)}`;
}

/** Objects by when they expire: expired (red), the next three months (amber), later months, no expiry (grey). */
export function expiryTimeline(buckets: readonly ExpiryBucket[], width = 720): Markup {
  const height = 170;
  const plot = height - 40;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const slot = width / Math.max(1, buckets.length);
  const bars = buckets.map((b, i) => {
    const h = (b.count / max) * (plot - 14);
    const colour = b.label === "expired" ? "#c62828" : b.label === "none" ? "#9e9e9e" : i <= 3 ? "#ef6c00" : "#1565c0";
    const x = i * slot + 4;
    return html`<g data-bucket="${b.label}"
      ><rect x="${round(x)}" y="${round(plot - h)}" width="${round(slot - 8)}" height="${round(h)}" fill="${colour}"
        ><title>${bucketLabel(b.label)}: ${b.count}</title></rect
      ><text x="${round(x + (slot - 8) / 2)}" y="${round(plot - h - 3)}" font-size="11" text-anchor="middle">${b.count}</text
      ><text x="${round(x + (slot - 8) / 2)}" y="${plot + 14}" font-size="10" text-anchor="middle">${bucketLabel(b.label)}</text></g
    >`;
  });
  return html`<svg class="timeline" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
    <title>Objects by expiry month</title>
    <line x1="0" y1="${plot}" x2="${width}" y2="${plot}" stroke="#999" />
    ${bars}
  </svg>`;
}

/** Pass rate (line) and failures (bars) across snapshots, oldest first. */
export function trendChart(points: readonly { generatedAt: string; totals: Totals; passRate: number | null }[], width = 720): Markup {
  const height = 180;
  const top = 16;
  const plot = height - 40;
  const slot = width / Math.max(1, points.length);
  const maxFail = Math.max(1, ...points.map((p) => p.totals.fail));
  const x = (i: number) => round(i * slot + slot / 2);
  const y = (rate: number) => round(top + (plot - top) * (1 - rate / 100));
  const bars = points.map((p, i) => {
    const h = (p.totals.fail / maxFail) * (plot - top) * 0.5;
    return html`<rect x="${round(x(i) - slot / 6)}" y="${round(plot - h)}" width="${round(slot / 3)}" height="${round(h)}" fill="#c62828" opacity="0.35"
        ><title>${p.generatedAt.slice(0, 10)}: ${p.totals.fail} failing</title></rect
      ><text x="${x(i)}" y="${plot + 14}" font-size="10" text-anchor="middle">${p.generatedAt.slice(0, 10)}</text>`;
  });
  const rated = points.map((p, i) => ({ p, i })).filter(({ p }) => p.passRate !== null);
  const line = rated.map(({ p, i }) => `${x(i)},${y(p.passRate!)}`).join(" ");
  const dots = rated.map(
    ({ p, i }) =>
      html`<circle cx="${x(i)}" cy="${y(p.passRate!)}" r="4" fill="#2e7d32"><title>${p.generatedAt.slice(0, 10)}: ${p.passRate}% pass</title></circle
        ><text x="${x(i)}" y="${round(y(p.passRate!) - 8)}" font-size="10" text-anchor="middle">${p.passRate}%</text>`,
  );
  return html`<svg class="trend" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
    <title>Pass rate and failures over time</title>
    <line x1="0" y1="${plot}" x2="${width}" y2="${plot}" stroke="#999" />
    ${bars}
    <polyline points="${line}" fill="none" stroke="#2e7d32" stroke-width="2" />
    ${dots}
  </svg>`;
}
