/**
 * @module Log lines that untrusted text cannot forge. Tags, request paths, event fields, audit records and
 * error messages end up in kvguard's logs; a line feed in one would start a line of the attacker's choosing,
 * an ANSI escape would repaint the operator's terminal, a bidirectional override would reorder what it shows.
 * `oneLine` shows every such character escaped instead (`\n`, `\u001b`, `\u202e`), so one call to a logger is
 * one line whatever it quotes. The escapes are JSON's, so a JSON line stays valid JSON of the same value; and
 * backslashes are left alone, so escaping twice changes nothing.
 *
 * The boundaries that write lines use it: the functions' `InvocationContext` (index.ts wraps each handler),
 * the local runner's printing, the CLI's, and the console defaults below. Code that wants several lines
 * writes several lines.
 */

/** C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional formatting marks. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escaped(char: string): string {
  return NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** The text as one line: each unsafe character shown as its escape. */
export function oneLine(text: string): string {
  return text.replace(UNSAFE, escaped);
}

/**
 * Text that may span lines (an error whose message lists problems) as lines whose continuations are
 * indented: a line the text forges can never pass for one of kvguard's own.
 */
export function indentedLines(text: string, indent = "  "): string {
  return text
    .split(/\r\n|\n|\r/)
    .map(oneLine)
    .join(`\n${indent}`);
}

/** Writes each line given, escaped, with a line feed: the CLI's printing. */
export function lineWriter(out: { write(chunk: string): unknown }): (line: string) => void {
  return (line) => void out.write(`${oneLine(line)}\n`);
}

/** `console.log` of one escaped line: the default logger of code that runs without a caller's. */
export function printLine(line: string): void {
  console.log(oneLine(line));
}

/** `console.error` of one escaped line. */
export function printErrorLine(line: string): void {
  console.error(oneLine(line));
}
