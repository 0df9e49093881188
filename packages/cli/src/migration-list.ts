/**
 * @module
 * The migrations `anygrid migrate` applied, as a person reads them: runs of consecutive
 * numbers joined (`1–13, 15, 17–21`), and the numbers inside the list that no migration
 * has, so that a gap reads as a number never used rather than a migration skipped.
 */

/** `1–13, 15, 17–21` from numbers in any order. */
export function numberRuns(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    const [from, to] = [sorted[i] as number, sorted[j] as number];
    runs.push(from === to ? String(from) : to === from + 1 ? `${from}, ${to}` : `${from}–${to}`);
    i = j + 1;
  }
  return runs.join(', ');
}

/** One line: how many migrations were applied, which, and the unused numbers among them. */
export function appliedText(applied: readonly number[], versions: readonly number[]): string {
  if (applied.length === 0) return 'the schema is up to date';
  const low = Math.min(...applied);
  const high = Math.max(...applied);
  const known = new Set(versions);
  const unused: number[] = [];
  for (let n = low; n <= high; n++) if (!known.has(n)) unused.push(n);
  const what = `applied ${applied.length === 1 ? 'migration' : `${applied.length} migrations:`} ${numberRuns(applied)}`;
  if (unused.length === 0) return what;
  return `${what} (no migration has the number${unused.length === 1 ? '' : 's'} ${numberRuns(unused)})`;
}
