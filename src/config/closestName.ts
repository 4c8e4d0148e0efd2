/** @module The known name closest to a mistyped one, for "did you mean ...?" hints. */

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `name` (ignoring case), or undefined when none is close enough to be a typo:
 * within a third of the name's length in edits, or one name's tail contained in the other's
 * (`KVGUARD_CA_FILE` for `KVGUARD_LOCAL_CA_FILE`).
 * @param name - the unknown name
 * @param candidates - the known names
 * @param prefix - a prefix all candidates share, left out of the containment test
 */
export function closestName(name: string, candidates: readonly string[], prefix = ""): string | undefined {
  const wanted = name.toUpperCase();
  const tail = (s: string) => s.slice(prefix.length);
  let best: { name: string; distance: number; contained: boolean } | undefined;
  for (const candidate of candidates) {
    const known = candidate.toUpperCase();
    const distance = editDistance(wanted, known);
    const contained = tail(wanted).length >= 3 && (tail(known).includes(tail(wanted)) || tail(wanted).includes(tail(known)));
    if (distance > Math.max(3, Math.floor(wanted.length / 3)) && !contained) continue;
    // A name that holds the typed one whole (a dropped word) beats a merely close spelling.
    const better = !best || (contained && !best.contained) || (contained === best.contained && distance < best.distance);
    if (better) best = { name: candidate, distance, contained };
  }
  return best?.name;
}
