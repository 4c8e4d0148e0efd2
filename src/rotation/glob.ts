/**
 * @module `*` globs (case-insensitive), as the policy file and the operator bindings write them. Matched
 * without backtracking: the pattern's literal pieces are found left to right, each at its first place after
 * the previous one (for `*`-only globs the leftmost place is always a right choice), so a pattern of many
 * stars against a long name costs one scan, where a regular expression `.*` per star would backtrack for
 * minutes.
 */

export function globMatch(pattern: string, text: string): boolean {
  const pieces = pattern.toLowerCase().split("*");
  const subject = text.toLowerCase();
  if (pieces.length === 1) return subject === pieces[0];
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (subject.length < first.length + last.length || !subject.startsWith(first) || !subject.endsWith(last)) return false;
  let at = first.length;
  const end = subject.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    if (piece === "") continue;
    const found = subject.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** Whether any pattern of the list matches. */
export function anyGlob(patterns: readonly string[], text: string): boolean {
  return patterns.some((p) => globMatch(p, text));
}
