/**
 * @module
 * Writing to stdout: JSON (one document, then a newline) for `--json`, human lines
 * otherwise. Keeping it in one place keeps stdout machine-clean in JSON mode.
 */

/** Prints a value as JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Prints a human line on stdout. */
export function println(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Prints a human line on stderr (notes that must not pollute stdout). */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A byte count for humans: 1.2 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A duration for humans: 1h02m, 3m05s, 12s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
