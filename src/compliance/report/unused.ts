/**
 * @module The report's unused-objects section (HTML): per vault, the objects nobody read in the unused days,
 * with the span of audit data behind the judgement, or "unknown" where that span is shorter.
 */
import type { ReportDocument } from "./schema.js";
import { cellTable, html, type Markup } from "./markup.js";

type Unused = NonNullable<ReportDocument["unused"]>;

/** One row per listed object, `[vault, type, name, last read, idle days]`; shared with the PDF. */
export function unusedRows(unused: Unused): string[][] {
  return unused.vaults.flatMap((v) =>
    v.objects.map((o) => [v.vault, o.type, o.name, o.lastReadAt ? o.lastReadAt.slice(0, 10) : "not in the audit data", String(o.idleDays)]),
  );
}

export const UNUSED_COLUMNS = ["Vault", "Type", "Name", "Last read", "Idle days"] as const;

export function unusedSection(doc: ReportDocument): Markup {
  const unused = doc.unused;
  if (!unused) return html``;
  const rows = unusedRows(unused);
  return html`<h2 id="unused">Unused objects</h2>
    <p>
      Enabled secrets, keys and certificates that no consumer read (or, for a key, used) in ${String(unused.days)} days, from the audit scan's record of use up
      to its last audit record; kvguard's own reads do not count. A vault whose audit data covers fewer days is unknown, not unused.
    </p>
    ${unused.note ? html`<p class="muted">${unused.note}</p>` : html``}
    <ul>
      ${unused.vaults.map((v) => html`<li><strong>${v.vault}</strong>: ${v.text}</li>`)}
    </ul>
    ${rows.length ? cellTable("unused-objects", UNUSED_COLUMNS, rows) : html``}`;
}
