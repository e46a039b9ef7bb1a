// "Did you mean": the names closest to a misspelt one, for error messages.

/** Levenshtein distance (insert, delete, substitute = 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Up to `max` candidates close to `query`, best first. For "category:event"
 * names the event part is also compared alone (a right event under a wrong
 * category is a near miss), and a candidate containing the query's event part
 * ("openat" in "syscalls:sys_enter_openat") counts as close.
 */
export function closestNames(query: string, candidates: readonly string[], max = 5): string[] {
  const q = query.toLowerCase();
  const qEvent = q.includes(":") ? q.slice(q.indexOf(":") + 1) : q;
  const limit = Math.max(2, Math.floor(qEvent.length / 3));
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const c = name.toLowerCase();
    const cEvent = c.includes(":") ? c.slice(c.indexOf(":") + 1) : c;
    const contains = qEvent.length >= 4 && cEvent.includes(qEvent);
    // an edit distance is at least the difference in length: most of a long list (kallsyms) is skipped here
    const atLeast = Math.min(Math.abs(q.length - c.length), Math.abs(qEvent.length - cEvent.length) + (qEvent !== q ? 2 : 0));
    if (atLeast > limit && !contains) continue;
    let score = editDistance(q, c);
    if (qEvent !== q) score = Math.min(score, editDistance(qEvent, cEvent) + 2);
    else score = Math.min(score, editDistance(qEvent, cEvent));
    if (contains) score = Math.min(score, 1 + (cEvent.length - qEvent.length) / 100);
    if (score <= limit) scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.length - b.name.length || (a.name < b.name ? -1 : 1));
  return scored.slice(0, max).map((s) => s.name);
}
