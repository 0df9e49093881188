import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Assignment } from '@anygrid/protocol';
import { INLINE_OUTPUT_BYTES } from '@anygrid/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HeldAssignments } from './held-assignments.js';
import { type OutgoingReport, reportFailure, reportRun } from './output-encoding.js';
import { ResultStore } from './result-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anygrid-results-'));
  dirs.push(dir);
  return join(dir, 'offline');
}

/** The batch files of a store's directory. */
function batchFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json'));
}

/** A logger whose warnings the test reads. */
function capture() {
  const lines: { msg: string; level: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, warnings: () => lines.filter((l) => l.level === 40).map((l) => l.msg) };
}

/** A successful run whose stdout is too large to travel inline: it has an upload. */
function bigReport(replicaId: number, fill: number): OutgoingReport {
  const stdout = new Uint8Array(INLINE_OUTPUT_BYTES + 10).fill(fill);
  return reportRun(replicaId, {
    exitCode: 0,
    stdout,
    stderr: new Uint8Array(0),
    dirs: {},
    durationMs: 3,
  } as unknown as Parameters<typeof reportRun>[1]);
}

/** Opens a store and resolves with every batch it persists. */
async function open(dir: string, logger = pino({ level: 'silent' })) {
  const persisted: OutgoingReport[][] = [];
  let wake: () => void = () => {};
  const { store, recovered } = await ResultStore.open({
    dir,
    logger,
    onPersisted: (batch) => {
      persisted.push(batch);
      wake();
    },
  });
  const next = () =>
    new Promise<OutgoingReport[]>((resolve) => {
      const seen = persisted.length;
      wake = () => resolve(persisted[seen] as OutgoingReport[]);
    });
  return { store, recovered, next };
}

describe('ResultStore', () => {
  it('keeps a result on disk before it counts, and a restart reads it back with its outputs', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const report = bigReport(7, 1);
    expect(report.uploads.size).toBe(1);
    const persisted = first.next();
    first.store.add(report);
    first.store.add(reportFailure(8, 'trap', 'boom', 2));
    // Both finished in one tick: one batch, one file.
    expect((await persisted).map((r) => r.replicaId)).toEqual([7, 8]);
    const files = readdirSync(join(dir, 'results'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{12}\.json$/);
    const [hash] = [...report.uploads.keys()];
    expect(statSync(join(dir, 'results', files[0] as string)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'outputs', hash as string)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'results')).mode & 0o777).toBe(0o700);
    expect(first.store.ids().sort()).toEqual([7, 8]);

    // The agent is killed here; the next one finds both.
    const second = await open(dir);
    expect(second.recovered.map((r) => r.replicaId)).toEqual([7, 8]);
    expect(second.recovered[0]?.report).toEqual(report.report);
    const bytes = second.recovered[0]?.uploads.get(hash as string);
    expect(
      Buffer.from(bytes as Uint8Array).equals(report.uploads.get(hash as string) as Uint8Array),
    ).toBe(true);
    expect(second.recovered[1]?.report.error?.message).toBe('boom');
  });

  it('forgets a result once the coordinator acknowledged it, files and outputs', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const persisted = first.next();
    first.store.add(bigReport(1, 2));
    first.store.add(reportFailure(2, 'trap', 'x', 1));
    await persisted;
    first.store.settle([1]);
    await new Promise((r) => setTimeout(r, 20));
    // The file still holds 2; the output of 1 is gone.
    expect(readdirSync(join(dir, 'outputs'))).toEqual([]);
    expect(batchFiles(join(dir, 'results'))).toHaveLength(1);
    // A restart now would not send 1 again.
    await first.store.idle();
    expect((await open(dir)).recovered.map((r) => r.replicaId)).toEqual([2]);
    first.store.settle([2]);
    await new Promise((r) => setTimeout(r, 20));
    expect(batchFiles(join(dir, 'results'))).toEqual([]);
    expect((await open(dir)).recovered).toEqual([]);
  });

  it('sets a corrupt file aside with a warning and reads the rest', async () => {
    const dir = tempDir();
    const first = await open(dir);
    let persisted = first.next();
    first.store.add(reportFailure(1, 'trap', 'one', 1));
    await persisted;
    persisted = first.next();
    first.store.add(reportFailure(2, 'trap', 'two', 1));
    await persisted;
    const [older, newer] = readdirSync(join(dir, 'results')).sort() as [string, string];
    // Cut short, as a disk that lost a write would leave it.
    const body = readFileSync(join(dir, 'results', older), 'utf8');
    writeFileSync(join(dir, 'results', older), body.slice(0, body.length / 2));
    // And a record that is JSON but not a report.
    writeFileSync(
      join(dir, 'results', '000000000099.json'),
      JSON.stringify({ version: 1, records: [{ report: { replicaId: -1 }, uploads: [] }] }),
    );
    const { logger, warnings } = capture();
    const second = await open(dir, logger);
    expect(second.recovered.map((r) => r.report.error?.message)).toEqual(['two']);
    expect(warnings()).toEqual([
      'a saved results file is corrupt; set aside',
      'a saved results file is corrupt; set aside',
    ]);
    expect(readdirSync(join(dir, 'results')).sort()).toEqual(
      [`${older}.corrupt`, newer, '000000000099.json.corrupt'].sort(),
    );
  });

  it('ignores a write the process did not live to finish', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const persisted = first.next();
    first.store.add(reportFailure(1, 'trap', 'kept', 1));
    await persisted;
    writeFileSync(join(dir, 'results', '000000000005.json.4242.tmp'), '{"version":1,"rec');
    const { logger, warnings } = capture();
    const second = await open(dir, logger);
    expect(second.recovered.map((r) => r.replicaId)).toEqual([1]);
    expect(warnings()).toEqual([]);
    expect(readdirSync(join(dir, 'results')).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('drops a result whose output was altered, never sending other bytes', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const persisted = first.next();
    const report = bigReport(3, 4);
    first.store.add(report);
    await persisted;
    const [hash] = [...report.uploads.keys()] as [string];
    writeFileSync(join(dir, 'outputs', hash), 'not the output');
    const { logger, warnings } = capture();
    const second = await open(dir, logger);
    expect(second.recovered).toEqual([]);
    expect(warnings()).toEqual([
      'a saved result lost an output; dropping it (the coordinator will reissue the replica)',
    ]);
  });
});

describe('HeldAssignments', () => {
  const assignment = (replicaId: number): Assignment => ({
    replicaId,
    taskId: replicaId,
    jobId: 1,
    module: { hash: 'b'.repeat(64), size: 9 },
    argv0: 'main.wasm',
    args: ['1', '2'],
    env: {},
    stdin: null,
    files: {},
    limits: { memoryBytes: 1 << 20, wallTimeMs: 1000, outputBytes: 1000 },
    deadline: 1_900_000_000_000,
    seed: 5,
  });

  it('reads back the work held when the agent stopped, and forgets what was released', async () => {
    const dir = tempDir();
    const { held } = await HeldAssignments.open(dir, pino({ level: 'silent' }));
    held.add([assignment(1), assignment(2), assignment(3)]);
    await held.idle();
    held.release([2]);
    const again = await HeldAssignments.open(dir, pino({ level: 'silent' }));
    expect(again.recovered).toEqual([assignment(1), assignment(3)]);
    expect(again.held.ids().sort()).toEqual([1, 3]);
    again.held.release([1, 3]);
    await new Promise((r) => setTimeout(r, 20));
    expect(batchFiles(join(dir, 'assignments'))).toEqual([]);
  });

  it('judges a restarted agent’s deadlines by the leases heartbeats extended', async () => {
    const dir = tempDir();
    const { held } = await HeldAssignments.open(dir, pino({ level: 'silent' }));
    held.add([assignment(1), assignment(2)]);
    held.extend([
      { replicaId: 1, deadline: 1_900_000_060_000 },
      // Not held: not kept.
      { replicaId: 9, deadline: 1_900_000_060_000 },
    ]);
    await held.idle();
    const again = await HeldAssignments.open(dir, pino({ level: 'silent' }));
    expect(again.recovered.map((a) => [a.replicaId, a.deadline])).toEqual([
      [1, 1_900_000_060_000],
      [2, 1_900_000_000_000],
    ]);
  });
});
