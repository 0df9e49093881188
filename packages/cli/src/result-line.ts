/**
 * @module
 * One human line per task result, as `submit --wait` and `results` print them:
 * `#3 valid exit 0: 9592`, `#4 failed [time_limit: …]`, with long or multi-line stdout
 * replaced by its size; a result that replaces an earlier one says `(corrected)`.
 */

import type { TaskResult } from '@anygrid/protocol';

/** A result's line; `stdout` is its decoded text when at hand. */
export function resultLine(r: TaskResult, stdout: string | undefined, max = 120): string {
  const exit = r.exitCode === null ? '' : ` exit ${r.exitCode}`;
  const out = (stdout ?? '').trim();
  const size = r.stdout?.size ?? 0;
  let text = '';
  if (out && out.length <= max && !out.includes('\n')) text = `: ${out}`;
  else if (size > 0) text = `: (${size} bytes of stdout)`;
  // Why the coordinator ended the task, when it did (no eligible host left), before the
  // replicas' own errors.
  const why = r.reason ? ` (${r.reason.code}: ${r.reason.message})` : '';
  const err = r.errors[0] ? ` [${r.errors[0].code}: ${r.errors[0].message}]` : '';
  const names = Object.keys(r.files);
  const files = names.length ? ` files: ${names.join(', ')}` : '';
  const corrected = r.corrected ? ' (corrected)' : '';
  return `#${r.index} ${r.outcome}${corrected}${exit}${text}${why}${err}${files}`;
}
