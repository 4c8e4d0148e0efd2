/**
 * @module The report's consumer table: per secret kvguard rotated, how many principals the audit log showed
 * reading it and how many were still on the previous credential when its revoke gate last looked.
 */
import type { ReportDocument } from "./schema.js";
import { html, type Markup } from "./markup.js";

export function consumersSection(doc: ReportDocument): Markup {
  const items = doc.inventory.filter((i) => i.consumers).sort((a, b) => a.vault.localeCompare(b.vault) || a.name.localeCompare(b.name));
  return html`<h2 id="consumers">Consumers of rotated secrets</h2>
    <p>
      Principals the audit log showed reading each secret before its last rotation, and how many had not read the new version when kvguard last decided whether
      to revoke the previous credential.
    </p>
    ${
      items.length
        ? html`<table>
            <thead>
              <tr>
                <th>Vault</th>
                <th>Secret</th>
                <th>Consumers</th>
                <th>On the old version</th>
                <th>Counted</th>
              </tr>
            </thead>
            <tbody>
              ${items.map((i) => {
                const c = i.consumers!;
                return html`<tr>
                  <td>${i.vault}</td>
                  <td>${i.name}</td>
                  <td>${c.source === "failed" ? "audit log unreadable" : String(c.consumers ?? 0)}</td>
                  <td>${c.source === "failed" ? "" : String(c.onOldVersion ?? 0)}</td>
                  <td>${c.at.slice(0, 16).replace("T", " ")}</td>
                </tr>`;
              })}
            </tbody>
          </table>`
        : html`<p class="muted">No revoke has counted consumers yet (none is due, or no audit source is configured).</p>`
    }`;
}
