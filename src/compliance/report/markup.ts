/**
 * @module Safe markup for the HTML report: the `html` tagged template escapes every value it is given,
 * except markup made by `html` itself, so a vault, object or reason holding `<script>` prints as text.
 */
import { escapeHtml } from "../../common/html.js";

export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Markup | string | number | boolean | null | undefined | readonly Value[];

function piece(value: Value): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(piece).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

/** Markup with every interpolated value escaped (arrays joined; null, undefined and false print nothing). */
export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1]!;
  return new Markup(out);
}

/** A table of plain cells under a header row, with an id to link or find it by. */
export function cellTable(id: string, columns: readonly string[], rows: readonly (readonly string[])[]): Markup {
  return html`<table id="${id}">
    <thead>
      <tr>
        ${columns.map((c) => html`<th>${c}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (cells) =>
          html`<tr>
            ${cells.map((cell) => html`<td>${cell}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}
