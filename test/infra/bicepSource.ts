/**
 * @module Reading Bicep source without a Bicep compiler (none can be installed here): comments blanked out,
 * blocks matched by their braces outside strings, an object's top-level `key: value` entries, params with
 * their decorators and defaults, and resources with the comment lines just above them. Enough for the
 * checks of test/infra/bicep.test.ts over kvguard's own templates, not a general Bicep parser (it assumes
 * no quote inside a string interpolation, which kvguard's templates keep to).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const INFRA = join(ROOT, "infra");

export interface SourceFile {
  /** Path from the repository root, such as `infra/modules/functionApp.bicep`. */
  path: string;
  text: string;
  /** The text with every comment replaced by spaces (offsets and line numbers unchanged). */
  code: string;
}

export function readSource(path: string): SourceFile {
  const text = readFileSync(join(ROOT, path), "utf8");
  return { path, text, code: path.endsWith(".bicep") || path.endsWith(".bicepparam") ? blankComments(text) : text };
}

/** Every deployment file under infra/ (and azure.yaml; documentation aside), paths from the repository root. */
export function infraFiles(): SourceFile[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  return [...walk(INFRA).map((p) => relative(ROOT, p)), "azure.yaml"]
    .filter((p) => !p.endsWith(".md"))
    .sort()
    .map(readSource);
}

/** Scans Bicep text, calling `visit` for each character outside strings and comments. */
function scan(text: string, visit: (char: string, index: number) => boolean | void): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2) + 1;
      continue;
    }
    if (c === "'") {
      if (text.startsWith("'''", i)) i = text.indexOf("'''", i + 3) + 2;
      else for (i++; i < text.length && text[i] !== "'"; i++) if (text[i] === "\\") i++;
      continue;
    }
    if (visit(c, i) === true) return;
  }
}

export function blankComments(text: string): string {
  const out = text.split("");
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    if (inString) {
      if (text[i] === "\\") i++;
      else if (text[i] === "'") inString = false;
    } else if (text[i] === "'") inString = true;
    else if (text[i] === "/" && text[i + 1] === "/") {
      for (; i < text.length && text[i] !== "\n"; i++) out[i] = " ";
    }
  }
  return out.join("");
}

const CLOSE: Record<string, string> = { "{": "}", "[": "]", "(": ")" };

/** Index of the bracket closing the one at `open`. */
export function closing(code: string, open: number): number {
  const stack: string[] = [];
  let found = -1;
  scan(code.slice(open), (c, i) => {
    if (c in CLOSE) stack.push(CLOSE[c]!);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) {
        found = open + i;
        return true;
      }
    }
  });
  if (found < 0) throw new Error(`unbalanced bracket at offset ${open}`);
  return found;
}

/** The text inside the first `{...}` after `header` (a literal such as `var allSettings =`). */
export function blockAfter(code: string, header: string): string {
  const at = code.indexOf(header);
  if (at < 0) throw new Error(`no "${header}" in the template`);
  const open = code.indexOf("{", at + header.length);
  return code.slice(open + 1, closing(code, open));
}

/** Top-level `key: value` entries of an object's inner text (newline- or comma-separated). */
export function entries(inner: string): Map<string, string> {
  const pieces: string[] = [];
  let depth = 0;
  let start = 0;
  scan(inner, (c, i) => {
    if (c in CLOSE) depth++;
    else if (c === "}" || c === "]" || c === ")") depth--;
    else if (depth === 0 && (c === "\n" || c === ",")) {
      pieces.push(inner.slice(start, i));
      start = i + 1;
    }
  });
  pieces.push(inner.slice(start));
  const result = new Map<string, string>();
  for (const piece of pieces) {
    const m = /^\s*'?([\w$.-]+)'?\s*:\s*([\s\S]*?)\s*$/.exec(piece);
    if (m) result.set(m[1]!, m[2]!);
  }
  return result;
}

/** The string a Bicep literal `'...'` holds, or undefined when the expression is not one. */
export function literal(expression: string): string | undefined {
  const m = /^'((?:[^'\\$]|\\.|\$(?!\{))*)'$/.exec(expression.trim());
  return m ? m[1]!.replace(/\\(.)/g, "$1") : undefined;
}

export interface Param {
  name: string;
  type: string;
  secure: boolean;
  /** The default's expression, when it has one. */
  default?: string;
}

/** Every `param` of a file with its decorators (the lines just above it). */
export function params(file: SourceFile): Map<string, Param> {
  const result = new Map<string, Param>();
  const lines = file.code.split("\n");
  lines.forEach((line, i) => {
    const m = /^param\s+(\w+)\s+([\w.[\]]+)(?:\s*=\s*(.+))?\s*$/.exec(line.trim());
    if (!m) return;
    let secure = false;
    for (let j = i - 1; j >= 0 && /^\s*@/.test(lines[j]!); j--) if (/^\s*@secure\(\)/.test(lines[j]!)) secure = true;
    result.set(m[1]!, { name: m[1]!, type: m[2]!, secure, ...(m[3] !== undefined ? { default: m[3].trim() } : {}) });
  });
  return result;
}

export interface Resource {
  file: string;
  symbol: string;
  type: string;
  existing: boolean;
  /** The text inside the resource's body braces, comments blanked. */
  body: string;
  /** The same text with its comments. */
  source: string;
  /** The comment lines directly above the declaration, without their `//`. */
  comments: string[];
  /** 1-based line of the declaration. */
  line: number;
}

/** Every `resource` declaration of a file. */
export function resources(file: SourceFile): Resource[] {
  const result: Resource[] = [];
  const declaration = /^resource\s+(\w+)\s+'([^'@]+)@[^']+'(\s+existing)?\s*=/gm;
  const textLines = file.text.split("\n");
  for (const m of file.code.matchAll(declaration)) {
    let open = -1;
    let parens = 0;
    scan(file.code.slice(m.index + m[0].length), (c, i) => {
      if (c === "(") parens++;
      else if (c === ")") parens--;
      else if (c === "{" && parens === 0) {
        open = m.index + m[0].length + i;
        return true;
      }
    });
    const close = closing(file.code, open);
    const line = file.code.slice(0, m.index).split("\n").length;
    const comments: string[] = [];
    for (let j = line - 2; j >= 0 && /^\s*\/\//.test(textLines[j]!); j--) comments.unshift(textLines[j]!.replace(/^\s*\/\/\s?/, ""));
    result.push({
      file: file.path,
      symbol: m[1]!,
      type: m[2]!,
      existing: Boolean(m[3]),
      body: file.code.slice(open + 1, close),
      source: file.text.slice(open + 1, close),
      comments,
      line,
    });
  }
  return result;
}
