import type { Assignment } from '@anygrid/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type OutgoingReport, reportFailure } from './output-encoding.js';
import { WorkLoop } from './work-loop.js';

const logger = pino({ level: 'silent' });
const hash = 'a'.repeat(64);

function assignment(replicaId: number): Assignment {
  return {
    replicaId,
    taskId: replicaId,
    jobId: 1,
    module: { hash, size: 1 },
    argv0: 'main.wasm',
    args: [],
    env: {},
    stdin: null,
    files: {},
    limits: { memoryBytes: 1 << 20, wallTimeMs: 1000, outputBytes: 1000 },
    deadline: Date.now() + 60_000,
    seed: 0,
  };
}

/** A coordinator with `total` replicas to hand out, and runs the test finishes by hand. */
function harness(total: number, slots: number, buffer: number | undefined, runMs = 1) {
  let next = 1;
  const asked: number[] = [];
  const reports: OutgoingReport[] = [];
  const runs = new Map<number, { finish: () => void; signal: AbortSignal }>();
  let peak = 0;
  const handedBack: number[] = [];
  const loop = new WorkLoop({
    onHandBack: (ids) => handedBack.push(...ids),
    handBackAfterMs: 1000,
    client: {
      async work(_hostId: number, max: number) {
        asked.push(max);
        const count = Math.min(max, total - next + 1);
        const assignments = Array.from({ length: count }, () => assignment(next++));
        return { assignments };
      },
    },
    hostId: 1,
    slots,
    ...(buffer === undefined ? {} : { buffer }),
    logger,
    streaming: () => true,
    onReport: (r) => reports.push(r),
    run: (a, { signal }, done) => {
      runs.set(a.replicaId, {
        signal,
        finish: () => {
          runs.delete(a.replicaId);
          done(reportFailure(a.replicaId, 'trap', 'x', runMs));
        },
      });
      peak = Math.max(peak, runs.size);
    },
  });
  return { loop, asked, reports, runs, handedBack, peak: () => peak };
}

const settle = () => new Promise((r) => setTimeout(r, 20));
const loops: WorkLoop[] = [];
afterEach(async () => {
  for (const l of loops.splice(0)) await l.drain(0);
});

describe('WorkLoop', () => {
  it('asks for slots plus buffer, runs at most `slots` at once, and reports each run', async () => {
    const h = harness(10, 2, 3, 5000);
    loops.push(h.loop);
    h.loop.trigger();
    await settle();
    expect(h.asked[0]).toBe(5);
    expect(h.runs.size).toBe(2);
    expect(h.loop.heldIds()).toHaveLength(5);
    while (h.runs.size > 0) {
      for (const run of [...h.runs.values()]) run.finish();
      await settle();
    }
    expect(h.peak()).toBe(2);
    expect(h.reports.map((r) => r.replicaId).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(h.loop.stats()).toEqual({ completed: 0, failed: 10, running: 0 });
  });

  it('hands many runs to the sandbox at once once tasks prove short', async () => {
    const h = harness(1000, 2, 200);
    loops.push(h.loop);
    h.loop.trigger();
    await settle();
    expect(h.runs.size).toBe(2);
    for (const run of [...h.runs.values()]) run.finish();
    await settle();
    // 1 ms tasks: 20 ms of work per slot goes to the sandbox, which runs two at a time.
    expect(h.runs.size).toBe(40);
    expect(h.loop.busy).toBe(true);
  });

  it('tops up short runs in flight once half of them have finished', async () => {
    const h = harness(1000, 2, 200);
    loops.push(h.loop);
    h.loop.trigger();
    await settle();
    // Within a few ticks from here: runs waiting past 40 ms would say tasks got longer.
    const tick = () => new Promise((r) => setImmediate(r));
    for (const run of [...h.runs.values()]) run.finish();
    await tick();
    expect(h.runs.size).toBe(40);
    for (const run of [...h.runs.values()].slice(0, 19)) run.finish();
    await tick();
    expect(h.runs.size).toBe(21);
    [...h.runs.values()][0]?.finish();
    await tick();
    expect(h.runs.size).toBe(40);
  });

  it('lets a run cancelled among batch-mates finish unreported, and stops it once none is wanted', async () => {
    const h = harness(1000, 2, 200);
    loops.push(h.loop);
    h.loop.trigger();
    await settle();
    for (const run of [...h.runs.values()]) run.finish();
    await settle();
    const ids = [...h.runs.keys()];
    const [cancelled, ...mates] = ids as [number, ...number[]];
    h.loop.cancel([cancelled]);
    expect(h.runs.get(cancelled)?.signal.aborted).toBe(false);
    expect(h.loop.heldIds()).not.toContain(cancelled);
    const signal = h.runs.get(cancelled)?.signal as AbortSignal;
    for (const id of mates.slice(1)) h.runs.get(id)?.finish();
    expect(signal.aborted).toBe(false);
    h.runs.get(mates[0] as number)?.finish();
    expect(signal.aborted).toBe(true);
    h.runs.get(cancelled)?.finish();
    await settle();
    expect(h.reports.map((r) => r.replicaId)).not.toContain(cancelled);
  });

  it('holds a replica the coordinator answers again, or twice in one answer, only once', async () => {
    const answers = [
      [1, 2, 3],
      [2, 3, 4, 4, 1, 5],
    ];
    const started: number[] = [];
    const loop = new WorkLoop({
      client: { work: async () => ({ assignments: (answers.shift() ?? []).map(assignment) }) },
      hostId: 1,
      slots: 1,
      buffer: 10,
      logger,
      streaming: () => true,
      onReport: () => {},
      run: (a) => started.push(a.replicaId),
    });
    loops.push(loop);
    loop.trigger();
    await settle();
    // 1 runs, 2 and 3 wait; the second answer repeats all three and 4 twice.
    loop.trigger();
    await settle();
    expect(started).toEqual([1]);
    expect(loop.heldIds().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
  });

  it('pulls at once when work is announced to an idle host, even right after an empty pull', async () => {
    const h = harness(0, 1, 1);
    loops.push(h.loop);
    h.loop.trigger();
    await settle();
    expect(h.asked).toHaveLength(1);
    h.loop.trigger();
    await settle();
    expect(h.asked).toHaveLength(2);
  });

  it('asks again as its runs end when the coordinator held it back by its in-flight bound, not a second later', async () => {
    // Each answer carries 2 of the 10 asked for; `more` says the rest wait for this host.
    const ran: number[][] = [];
    for (const more of [true, false]) {
      const queue = [
        [1, 2],
        [3, 4],
        [5, 6],
      ];
      const started: number[] = [];
      const loop = new WorkLoop({
        client: {
          async work() {
            const assignments = (queue.shift() ?? []).map(assignment);
            return more && queue.length > 0 ? { assignments, more } : { assignments };
          },
        },
        hostId: 1,
        slots: 1,
        buffer: 10,
        logger,
        streaming: () => true,
        onReport: () => {},
        run: (a, _options, done) => {
          started.push(a.replicaId);
          queueMicrotask(() => done(reportFailure(a.replicaId, 'trap', 'x', 1)));
        },
      });
      loops.push(loop);
      loop.trigger();
      await settle();
      ran.push(started);
    }
    // Told `more`: it pulls again as runs end and runs all six at once. Not told: it ran
    // what the first answer carried, and then, out of work, looks again shortly (its
    // reports may have lifted a new job's small bound), not a second later.
    expect(ran[0]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ran[1]).toEqual([1, 2]);
    await new Promise((r) => setTimeout(r, 300));
    expect(ran[1]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('drops cancelled replicas from the buffer and never reports a cancelled run', async () => {
    const h = harness(4, 1, 3);
    loops.push(h.loop);
    h.loop.trigger();
    await settle();
    h.loop.cancel([1, 3]);
    expect(h.runs.get(1)?.signal.aborted).toBe(true);
    h.runs.get(1)?.finish();
    await settle();
    while (h.runs.size > 0) {
      for (const run of [...h.runs.values()]) run.finish();
      await settle();
    }
    expect(h.reports.map((r) => r.replicaId)).toEqual([2, 4]);
  });

  it('on drain, hands back the buffer and the runs still going after the timeout', async () => {
    const h = harness(5, 2, 3);
    h.loop.trigger();
    await settle();
    h.runs.get(1)?.finish();
    const handBack = await h.loop.drain(50);
    expect(handBack.sort((a, b) => a - b)).toEqual([2, 3, 4, 5]);
    expect(h.runs.get(2)?.signal.aborted).toBe(true);
    expect(h.reports.map((r) => r.replicaId)).toEqual([1]);
  });

  it('lets running tasks finish and report within the drain timeout', async () => {
    const h = harness(2, 2, 0);
    h.loop.trigger();
    await settle();
    setTimeout(() => {
      for (const run of [...h.runs.values()]) run.finish();
    }, 20);
    expect(await h.loop.drain(5000)).toEqual([]);
    expect(h.reports).toHaveLength(2);
  });

  it('deepens its buffer for short tasks and hands back the surplus once a task runs long', async () => {
    const h = harness(10_000, 1, undefined);
    loops.push(h.loop);
    h.loop.trigger();
    await settle();
    expect(h.asked[0]).toBe(2);
    // A few instant tasks teach the loop that tasks are short: the buffer deepens.
    const tick = () => new Promise((r) => setImmediate(r));
    for (let i = 0; i < 50; i++) {
      for (const run of [...h.runs.values()]) run.finish();
      for (let j = 0; j < 5; j++) await tick();
    }
    await settle();
    expect(Math.max(...h.asked)).toBeGreaterThan(40);
    const held = h.loop.heldIds().length;
    expect(held).toBeGreaterThan(40);

    // Not while the running task is young: a slow moment is no reason to give work away.
    h.loop.rebalance();
    expect(h.handedBack).toEqual([]);
    // Now the running task takes over a second: the buffer shrinks and the rest goes back.
    await new Promise((r) => setTimeout(r, 1100));
    h.loop.rebalance();
    expect(h.handedBack.length).toBeGreaterThan(held - 5);
    expect(h.loop.heldIds().length).toBeLessThanOrEqual(3);
    expect(new Set([...h.handedBack, ...h.loop.heldIds()]).size).toBe(held);
  });
});
