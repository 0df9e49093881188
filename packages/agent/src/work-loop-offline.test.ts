import type { Assignment } from '@anygrid/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { reportFailure } from './output-encoding.js';
import { WorkLoop } from './work-loop.js';

const logger = pino({ level: 'silent' });

function assignment(replicaId: number, deadline: number): Assignment {
  return {
    replicaId,
    taskId: replicaId,
    jobId: 1,
    module: { hash: 'a'.repeat(64), size: 1 },
    argv0: 'main.wasm',
    args: [],
    env: {},
    stdin: null,
    files: {},
    limits: { memoryBytes: 1 << 20, wallTimeMs: 1000, outputBytes: 1000 },
    deadline,
    seed: 0,
  };
}

/** A loop whose coordinator is unreachable, and the runs it started. */
function offlineLoop(options: { pullingPaused?: boolean } = {}) {
  const started: number[] = [];
  const expired: number[] = [];
  const reported: number[] = [];
  let pulls = 0;
  const loop = new WorkLoop({
    client: {
      async work() {
        pulls += 1;
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
    },
    hostId: 1,
    slots: 1,
    buffer: 4,
    logger,
    streaming: () => false,
    onReport: (r) => reported.push(r.replicaId),
    onExpired: (ids) => expired.push(...ids),
    run: (a, _options, done) => {
      started.push(a.replicaId);
      setTimeout(() => done(reportFailure(a.replicaId, 'trap', 'x', 1)), 5);
    },
    ...options,
  });
  return { loop, started, expired, reported, pulls: () => pulls };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loops: WorkLoop[] = [];
afterEach(async () => {
  for (const l of loops.splice(0)) await l.drain(0);
});

describe('WorkLoop while the coordinator is away', () => {
  it('runs restored work, and does not start a replica whose deadline has passed', async () => {
    const h = offlineLoop();
    loops.push(h.loop);
    const now = Date.now();
    h.loop.restore([
      assignment(1, now + 60_000),
      assignment(2, now - 1),
      assignment(3, now + 60_000),
    ]);
    h.loop.trigger();
    await wait(100);
    expect(h.started).toEqual([1, 3]);
    expect(h.expired).toEqual([2]);
    expect(h.reported.sort()).toEqual([1, 3]);
  });

  it('skips work whose deadline passed while it waited in the buffer', async () => {
    const h = offlineLoop();
    loops.push(h.loop);
    // The first run takes 5 ms; the second's deadline passes meanwhile.
    h.loop.restore([assignment(1, Date.now() + 60_000), assignment(2, Date.now() + 2)]);
    await wait(100);
    expect(h.started).toEqual([1]);
    expect(h.expired).toEqual([2]);
  });

  it('moves buffered deadlines with the leases a heartbeat extended', async () => {
    const h = offlineLoop();
    loops.push(h.loop);
    h.loop.restore([assignment(1, Date.now() + 60_000), assignment(2, Date.now() + 2)]);
    h.loop.extendDeadlines([{ replicaId: 2, deadline: Date.now() + 60_000 }]);
    await wait(100);
    expect(h.started).toEqual([1, 2]);
    expect(h.expired).toEqual([]);
  });

  it('pulls nothing while paused, and at once when resumed', async () => {
    const h = offlineLoop({ pullingPaused: true });
    loops.push(h.loop);
    h.loop.restore([assignment(1, Date.now() + 60_000)]);
    h.loop.trigger();
    await wait(50);
    expect(h.started).toEqual([1]);
    expect(h.pulls()).toBe(0);
    h.loop.resumePulling();
    await wait(20);
    expect(h.pulls()).toBe(1);
  });
});
