/**
 * bench/RESULTS.md mixes figures from separate runs (parts are re-run on their own), so
 * every row must say when and on which commit it was measured, and the throughput
 * figures must say what they measure: redundancy 1 and 2 side by side, and which BullMQ
 * variant each is compared with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './repo-root.js';

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');

/** Each markdown table of RESULTS.md: the section it is under and its column names. */
function tables(markdown: string): Array<{ section: string; columns: string[]; rows: string[] }> {
  const out: Array<{ section: string; columns: string[]; rows: string[] }> = [];
  let section = '';
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3);
    else if (line.startsWith('| ') && out.at(-1)?.section === section && !line.startsWith('| ---'))
      out.at(-1)?.rows.push(line);
    else if (line.startsWith('| ') && !line.startsWith('| ---'))
      out.push({ section, columns: line.split('|').map((c) => c.trim()), rows: [] });
  }
  return out;
}

describe('bench results', () => {
  const latest = JSON.parse(read('bench/results/latest.json'));

  it('stamp every row of latest.json with the date and the commit it was measured at', () => {
    const unstamped = Object.entries(latest.results as Record<string, any[]>).flatMap(
      ([part, rows]) =>
        rows
          .filter(
            (row) =>
              Number.isNaN(Date.parse(row.date)) || !/^[0-9a-f]{7,}(-dirty)?$/.test(row.commit),
          )
          .map((row) => `${part}: ${row.name}`),
    );
    expect(Object.keys(latest.results).length).toBeGreaterThan(0);
    expect(unstamped).toEqual([]);
  });

  it('show a date and a commit column in every table of RESULTS.md', () => {
    const parts = Object.keys(latest.results);
    // The figures' tables; the hand-written analysis after them has its own.
    const generated = [...parts, 'Throughput side by side', 'Targets'];
    const found = tables(read('bench/RESULTS.md')).filter((t) => generated.includes(t.section));
    expect(found.map((t) => t.section).sort()).toEqual([...generated].sort());
    const missing = found
      .filter((t) => !t.columns.includes('date') || !t.columns.includes('commit'))
      .map((t) => t.section);
    expect(missing).toEqual([]);
  });

  it('put redundancy 1 and 2 and both BullMQ variants side by side, each saying what it measures', () => {
    const side = tables(read('bench/RESULTS.md')).find((t) => t.section.includes('side by side'));
    expect(side?.columns).toContain('measures');
    const text = side?.rows.join('\n') ?? '';
    expect(text).toMatch(/throughput r=1/);
    expect(text).toMatch(/throughput r=2/);
    expect(text).toMatch(/bullmq no delivery/);
    expect(text).toMatch(/bullmq delivered/);
  });
});
