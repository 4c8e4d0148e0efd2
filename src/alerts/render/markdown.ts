/**
 * @module Alert text in a Teams card. Teams reads a TextBlock's text and a FactSet's titles and values as
 * markdown: `[text](url)` is a link, `**` and `_` emphasis, a line starting `- ` or `1. ` a list item, `# ` a
 * heading. An alert quotes tags, error messages and audit records, so whoever may write one tag could put a
 * link of their choosing in front of the security team. `markdownText` makes such text show as written: one
 * line (`plainText`), every character markdown gives a meaning backslash-escaped (CommonMark's escapes, which
 * Teams honours), and a leading list or heading marker escaped too.
 */
import { plainText } from "./format.js";

/** Characters that open links, images, emphasis, code, strikethrough, headings, quotes, HTML and entities. */
const SPECIAL = /[\\`*_[\]<>~#&]/g;

/** The text with every character markdown gives a meaning anywhere in a line backslash-escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(SPECIAL, (c) => `\\${c}`);
}

/** Text that Teams shows literally. */
export function markdownText(value: string): string {
  return (
    escapeMarkdown(plainText(value).trim())
      // At the start of a block, "-", "+" start a list or a rule, "1." / "1)" an ordered list (lines never
      // start otherwise: plainText).
      .replace(/^([-+])/, "\\$1")
      .replace(/^(\d{1,9})([.)])(?=\s|$)/, "$1\\$2")
  );
}
