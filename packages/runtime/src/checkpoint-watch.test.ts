/**
 * The checkpoint convention end to end inside one thread: the example that checkpoints
 * (examples/src/resumable.c) run by `runModule`, its snapshots, a run resumed from one,
 * and the output cap of a program that rewrites its checkpoint many times.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_STATE, parseFraction } from './checkpoint-watch.js';
import { runModule } from './run-module.js';
import type { CheckpointSnapshot, RunSpec } from './run-spec.js';

const wasm = readFileSync(join(import.meta.dirname, '../../../examples/resumable.wasm'));
const module = new WebAssembly.Module(wasm);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function workOf(stderr: Uint8Array): { computed: number; resumedAt: number } {
  const m = /rounds computed: (\d+) of \d+ \(resumed at (\d+)/.exec(text(stderr));
  if (!m) throw new Error(`no work line: ${text(stderr)}`);
  return { computed: Number(m[1]), resumedAt: Number(m[2]) };
}

describe('checkpoint watch', () => {
  it('reads a progress file as a fraction in [0, 1], or nothing', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(parseFraction(bytes('0.25\n'))).toBe(0.25);
    expect(parseFraction(bytes('1.5'))).toBe(1);
    expect(parseFraction(bytes('-3'))).toBeNull();
    expect(parseFraction(bytes('half'))).toBeNull();
    expect(parseFraction(bytes(''))).toBeNull();
  });

  it('tells the states and progress a running program saves, and a run resumed from one ends as an uninterrupted run', async () => {
    const spec: RunSpec = { args: ['500', '10'], dirs: { '/': {} } };
    const plain = await runModule(module, spec);
    expect(plain.exitCode).toBe(0);
    // Checkpoint files are files the run wrote; the agent leaves them out of outputs.
    expect(Object.keys(plain.dirs['/'] ?? {}).sort()).toEqual([
      'checkpoint/progress',
      CHECKPOINT_STATE,
    ]);

    const snapshots: CheckpointSnapshot[] = [];
    const watched = await runModule(
      module,
      { ...spec, checkpoint: { intervalMs: 20, maxBytes: 1024 } },
      (s) => snapshots.push(s),
    );
    expect(text(watched.stdout)).toBe(text(plain.stdout));
    const states = snapshots.filter((s) => s.state !== null);
    expect(states.length).toBeGreaterThan(1);
    const fractions = states.map((s) => s.fraction as number);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    expect(fractions.every((f) => f > 0 && f < 1)).toBe(true);

    const middle = states[Math.floor(states.length / 2)] as CheckpointSnapshot;
    const resumed = await runModule(module, {
      ...spec,
      dirs: { '/': { [CHECKPOINT_STATE]: middle.state as Uint8Array } },
    });
    expect(text(resumed.stdout)).toBe(text(plain.stdout));
    const work = workOf(resumed.stderr);
    expect(work.resumedAt).toBe(Math.round((middle.fraction as number) * 500));
    expect(work.computed).toBe(500 - work.resumedAt);
  });

  it('tells nothing of a state larger than the bound, and nothing when not asked', async () => {
    const spec: RunSpec = { args: ['200', '10'], dirs: { '/': {} } };
    const small: CheckpointSnapshot[] = [];
    await runModule(module, { ...spec, checkpoint: { intervalMs: 0, maxBytes: 8 } }, (s) =>
      small.push(s),
    );
    expect(small.length).toBeGreaterThan(0);
    expect(small.every((s) => s.state === null)).toBe(true);
    const none: CheckpointSnapshot[] = [];
    await runModule(module, spec, (s) => none.push(s));
    expect(none).toEqual([]);
  });

  it('gives a truncated file its bytes back: a checkpoint rewritten a hundred times fits a small output cap', async () => {
    // 100 checkpoints of 40 + 7 bytes: ~4.7 KB written in all, never more than ~0.5 KB at once.
    const run = await runModule(module, {
      args: ['200', '2'],
      dirs: { '/': {} },
      limits: { outputBytes: 2048 },
    });
    expect(run.failure).toBeUndefined();
    expect(run.exitCode).toBe(0);
  });
});
