/**
 * The sandbox's limits and failure codes, on hand-written modules in Node worker
 * threads: every misbehaviour comes back as its code, and the same sandbox keeps
 * serving well-behaved runs afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReceiver, RunResult, RunSpec } from '../src/index.js';
import {
  bigAllocModule,
  directoryChainModule,
  exitModule,
  fileWriterModule,
  helloModule,
  loopModule,
  memoryBombModule,
  oddImportsModule,
  outputFloodModule,
  randomModule,
  recursionModule,
  spinModule,
  trapModule,
} from './guest-modules.js';
import { distDir, ensureRuntimeBuilt } from './runtime-dist.js';

type Sandbox = {
  compile(bytes: Uint8Array, memoryBytes?: number): Promise<WebAssembly.Module>;
  run(
    module: WebAssembly.Module,
    spec: RunSpec,
    options?: { signal?: AbortSignal },
  ): Promise<RunResult>;
  start(
    module: WebAssembly.Module,
    spec: RunSpec,
    receiver: RunReceiver,
    options?: { signal?: AbortSignal },
  ): void;
  close(): Promise<void>;
};

let sandbox: Sandbox;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const MIB = 1024 * 1024;

async function run(
  bytes: Uint8Array,
  spec: RunSpec = {},
  memoryBytes?: number,
): Promise<RunResult> {
  return sandbox.run(await sandbox.compile(bytes, memoryBytes), spec);
}

/** The sandbox still answers a normal run correctly. */
async function expectHealthy(): Promise<void> {
  const result = await run(helloModule('still alive\n'));
  expect(result.failure).toBeUndefined();
  expect(text(result.stdout)).toBe('still alive\n');
}

beforeAll(async () => {
  ensureRuntimeBuilt();
  const { NodeSandbox } = await import(`${distDir}/node/index.js`);
  sandbox = new NodeSandbox({ maxWorkers: 2 });
});
afterAll(() => sandbox?.close());

describe('NodeSandbox limits', () => {
  it('runs a well-behaved module and returns its output', async () => {
    const result = await run(helloModule('hello\n'));
    expect(result.exitCode).toBe(0);
    expect(result.failure).toBeUndefined();
    expect(text(result.stdout)).toBe('hello\n');
    expect(result.stderr.length).toBe(0);
  });

  it('stops an infinite loop with time_limit and then keeps working', async () => {
    const started = performance.now();
    const result = await run(loopModule(), { limits: { wallTimeMs: 300 } });
    expect(result.failure?.code).toBe('time_limit');
    expect(result.exitCode).toBeNull();
    expect(performance.now() - started).toBeLessThan(5000);
    await expectHealthy();
  });

  it('reports a memory.grow loop that traps at the cap as memory_limit', async () => {
    const result = await run(
      memoryBombModule('trap'),
      { limits: { memoryBytes: 8 * MIB } },
      8 * MIB,
    );
    expect(result.failure?.code).toBe('memory_limit');
    await expectHealthy();
  });

  it('reports a memory.grow loop that exits non-zero at the cap as memory_limit', async () => {
    const result = await run(memoryBombModule('exit'), {}, 16 * MIB);
    expect(result.failure?.code).toBe('memory_limit');
    expect(result.exitCode).toBe(3);
    await expectHealthy();
  });

  it('reports a single refused allocation far below the cap as memory_limit', async () => {
    const refused = await run(bigAllocModule(1000), {}, 16 * MIB);
    expect(refused.failure?.code).toBe('memory_limit');
    expect(refused.exitCode).toBe(1);
    const granted = await run(bigAllocModule(100), {}, 16 * MIB);
    expect(granted.failure).toBeUndefined();
  });

  it('refuses a module whose initial memory is above the cap', async () => {
    const bytes = helloModule('x');
    await expect(sandbox.compile(bytes, 32 * 1024)).rejects.toMatchObject({ code: 'memory_limit' });
  });

  it('ends an output flood with output_limit, keeping the output up to the cap', async () => {
    const result = await run(outputFloodModule(), { limits: { outputBytes: 100_000 } });
    expect(result.failure?.code).toBe('output_limit');
    expect(result.stdout.length).toBeLessThanOrEqual(100_000);
    expect(result.stdout.length).toBeGreaterThan(0);
    await expectHealthy();
  });

  it('reports unreachable as trap', async () => {
    const result = await run(trapModule());
    expect(result.failure?.code).toBe('trap');
    expect(result.exitCode).toBeNull();
    await expectHealthy();
  });

  it('reports a stack overflow as trap', async () => {
    const result = await run(recursionModule());
    expect(result.failure?.code).toBe('trap');
    await expectHealthy();
  });

  it('reports a non-zero exit as exit_code with the code', async () => {
    const result = await run(exitModule(42));
    expect(result.exitCode).toBe(42);
    expect(result.failure?.code).toBe('exit_code');
    const ok = await run(exitModule(0));
    expect(ok.exitCode).toBe(0);
    expect(ok.failure).toBeUndefined();
  });

  it('rejects bytes that are not WebAssembly as invalid_module', async () => {
    await expect(
      sandbox.compile(new TextEncoder().encode('#!/bin/sh\necho hi\n')),
    ).rejects.toMatchObject({ code: 'invalid_module' });
    const truncated = helloModule('hello').subarray(0, 30);
    await expect(sandbox.compile(truncated)).rejects.toMatchObject({ code: 'invalid_module' });
    await expectHealthy();
  });

  it('instantiates a module with unused, duplicate and unknown imports; unknown preview1 calls return ENOSYS', async () => {
    const result = await run(oddImportsModule());
    expect(result.failure?.code).toBe('exit_code');
    expect(result.exitCode).toBe(52);
  });

  it('returns files the guest created in a preopened directory', async () => {
    const input = { 'in.txt': new TextEncoder().encode('input') };
    const result = await run(fileWriterModule('written by guest'), { dirs: { '/': input } });
    expect(result.failure).toBeUndefined();
    expect(Object.keys(result.dirs['/'] ?? {})).toEqual(['out.txt']);
    expect(text(result.dirs['/']?.['out.txt'] ?? new Uint8Array())).toBe('written by guest');
  });

  it('serves a preopen named with a trailing slash and keys the result as given', async () => {
    const result = await run(fileWriterModule('data'), { dirs: { '/data/': {} } });
    expect(result.failure).toBeUndefined();
    expect(text(result.dirs['/data/']?.['out.txt'] ?? new Uint8Array())).toBe('data');
  });

  it('counts file growth against the output cap', async () => {
    const result = await run(fileWriterModule('x'.repeat(2000)), {
      dirs: { '/': {} },
      limits: { outputBytes: 1000 },
    });
    expect(result.failure?.code).toBe('output_limit');
  });

  it('gives the same random bytes for the same seed and different ones for another', async () => {
    const module = await sandbox.compile(randomModule());
    const a = await sandbox.run(module, { seed: 7 });
    const b = await sandbox.run(module, { seed: 7 });
    const c = await sandbox.run(module, { seed: 8 });
    expect(a.stdout.length).toBe(16);
    expect(a.stdout).toEqual(b.stdout);
    expect(a.stdout).not.toEqual(c.stdout);
  });

  it('runs several tasks concurrently on its workers', async () => {
    const module = await sandbox.compile(helloModule('par\n'));
    const results = await Promise.all(Array.from({ length: 8 }, () => sandbox.run(module, {})));
    for (const r of results) expect(text(r.stdout)).toBe('par\n');
  });
});

describe('NodeSandbox with unusual limits', () => {
  it('treats a wall-time limit beyond the timer range as no limit rather than firing at once', async () => {
    const result = await run(helloModule('patient\n'), {
      limits: { wallTimeMs: Number.MAX_SAFE_INTEGER },
    });
    expect(result.failure).toBeUndefined();
    expect(text(result.stdout)).toBe('patient\n');
  });
});

describe('NodeSandbox cancellation', () => {
  it('terminates a running guest when its signal aborts, and keeps working', async () => {
    const module = await sandbox.compile(loopModule());
    const controller = new AbortController();
    const started = performance.now();
    const running = sandbox.run(
      module,
      { limits: { wallTimeMs: 30_000 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 100);
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(5000);
    await expectHealthy();
  });

  it('tells a receiver once, and never before start returns', async () => {
    const module = await sandbox.compile(helloModule('told\n'));
    const told: string[] = [];
    const receiver = (done: () => void): RunReceiver => ({
      resolve: (result) => {
        told.push(text(result.stdout));
        done();
      },
      reject: (error) => {
        told.push(error.name);
        done();
      },
    });
    await new Promise<void>((done) => {
      sandbox.start(module, {}, receiver(done));
      sandbox.start(
        module,
        {},
        receiver(() => {}),
        { signal: AbortSignal.abort() },
      );
      expect(told).toEqual([]);
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(told.sort()).toEqual(['AbortError', 'told\n']);
  });

  it('rejects at once for an already aborted signal', async () => {
    const module = await sandbox.compile(helloModule('never'));
    await expect(sandbox.run(module, {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('NodeSandbox and the host heap', () => {
  it('charges new directory entries against the output cap', async () => {
    const result = await run(directoryChainModule(), {
      dirs: { '/': {} },
      limits: { outputBytes: 100_000 },
    });
    expect(result.failure?.code).toBe('output_limit');
  });

  it('survives a worker that exhausts its JS heap, reporting a trap', async () => {
    const { NodeSandbox } = await import(`${distDir}/node/index.js`);
    const small: Sandbox = new NodeSandbox({ maxWorkers: 1, workerHeapMb: 16 });
    try {
      const module = await small.compile(directoryChainModule());
      const spec = {
        dirs: { '/': {} },
        limits: { outputBytes: Number.MAX_SAFE_INTEGER, wallTimeMs: 30_000 },
      };
      const result = await small.run(module, spec);
      expect(result.failure?.code).toBe('trap');
      expect(result.failure?.message).toMatch(/worker died/);
      const after = await small.run(await small.compile(helloModule('ok\n')), {});
      expect(text(after.stdout)).toBe('ok\n');
    } finally {
      await small.close();
    }
  });
});

describe('NodeSandbox misuse by the host', () => {
  it('rejects a spec that cannot be posted to a worker, and keeps working', async () => {
    const module = await sandbox.compile(helloModule('x'));
    const bad = { env: { f: (() => 1) as unknown as string } };
    await expect(sandbox.run(module, bad)).rejects.toThrow();
    // Both workers must still be usable: run as many tasks as workers at once.
    const results = await Promise.all(
      [1, 2].map(() => sandbox.run(module, { limits: { wallTimeMs: 5000 } })),
    );
    for (const r of results) expect(r.failure).toBeUndefined();
  });
});

describe('NodeSandbox with one worker and tasks lined up behind each other', () => {
  let single: Sandbox;
  beforeAll(async () => {
    const { NodeSandbox } = await import(`${distDir}/node/index.js`);
    single = new NodeSandbox({ maxWorkers: 1 });
  });
  afterAll(() => single?.close());

  it('times a task from when it starts, not from when it was posted', async () => {
    const slow = await single.compile(spinModule(300_000_000));
    const quick = await single.compile(helloModule('quick\n'));
    // The quick task's limit is a third of the slow one's run time on this machine, once
    // warm (the first run is slower, before the engine tiers up), so timing it from when
    // it was posted would fail it whatever the machine's speed.
    await single.run(slow, { limits: { wallTimeMs: 20_000 } });
    const alone = await single.run(slow, { limits: { wallTimeMs: 20_000 } });
    const limit = Math.max(10, Math.floor(alone.durationMs / 3));
    const first = single.run(slow, { limits: { wallTimeMs: 20_000 } });
    const second = single.run(quick, { limits: { wallTimeMs: limit } });
    const [a, b] = await Promise.all([first, second]);
    expect(a.failure).toBeUndefined();
    expect(a.durationMs).toBeGreaterThan(limit);
    expect(b.failure).toBeUndefined();
    expect(text(b.stdout)).toBe('quick\n');
  });

  it('moves the task waiting behind a timed-out one to a fresh worker', async () => {
    const loop = single.run(await single.compile(loopModule()), { limits: { wallTimeMs: 300 } });
    const after = single.run(await single.compile(helloModule('next\n')), {});
    expect((await loop).failure?.code).toBe('time_limit');
    const result = await after;
    expect(result.failure).toBeUndefined();
    expect(text(result.stdout)).toBe('next\n');
  });

  it('stops a task past its limit in the middle of a batch; tasks around it keep their results', async () => {
    const hello = await single.compile(helloModule('batched\n'));
    const loop = await single.compile(loopModule());
    // Warm up: short tasks make the worker's line deep, so these go out as one batch.
    await Promise.all(Array.from({ length: 200 }, () => single.run(hello, {})));
    const before = Array.from({ length: 30 }, () => single.run(hello, {}));
    const stuck = single.run(loop, { limits: { wallTimeMs: 300 } });
    const after = Array.from({ length: 30 }, () => single.run(hello, {}));
    expect((await stuck).failure?.code).toBe('time_limit');
    for (const r of await Promise.all([...before, ...after])) {
      expect(r.failure).toBeUndefined();
      expect(text(r.stdout)).toBe('batched\n');
    }
  });

  it('enforces a short limit of a task lined up behind one with a long limit', async () => {
    const slow = await single.compile(spinModule(100_000_000));
    const loop = await single.compile(loopModule());
    const started = performance.now();
    const first = single.run(slow, { limits: { wallTimeMs: 60_000 } });
    const second = single.run(loop, { limits: { wallTimeMs: 300 } });
    expect((await first).failure).toBeUndefined();
    expect((await second).failure?.code).toBe('time_limit');
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('aborts a task running in the middle of a batch; tasks around it keep their results', async () => {
    const hello = await single.compile(helloModule('around\n'));
    const loop = await single.compile(loopModule());
    await Promise.all(Array.from({ length: 200 }, () => single.run(hello, {})));
    const controller = new AbortController();
    const before = Array.from({ length: 20 }, () => single.run(hello, {}));
    const stuck = single.run(
      loop,
      { limits: { wallTimeMs: 30_000 } },
      { signal: controller.signal },
    );
    const after = Array.from({ length: 20 }, () => single.run(hello, {}));
    setTimeout(() => controller.abort(), 200);
    await expect(stuck).rejects.toMatchObject({ name: 'AbortError' });
    for (const r of await Promise.all([...before, ...after]))
      expect(text(r.stdout)).toBe('around\n');
  });

  it('aborts every run sharing a signal, running or waiting, and no other', async () => {
    const hello = await single.compile(helloModule('other\n'));
    const loop = await single.compile(loopModule());
    const controller = new AbortController();
    const { signal } = controller;
    const shared = [
      single.run(loop, { limits: { wallTimeMs: 30_000 } }, { signal }),
      ...Array.from({ length: 10 }, () => single.run(hello, {}, { signal })),
    ];
    const others = Array.from({ length: 10 }, () => single.run(hello, {}));
    setTimeout(() => controller.abort(), 200);
    for (const run of shared) await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    for (const r of await Promise.all(others)) expect(text(r.stdout)).toBe('other\n');
  });

  it('sends a module again after the task that first carried it could not be posted', async () => {
    const module = await single.compile(helloModule('carried\n'));
    const bad = { env: { f: (() => 1) as unknown as string } };
    // Started together, both go out in one batch; the module rides with the first.
    const failing = single.run(module, bad);
    const following = single.run(module, {});
    await expect(failing).rejects.toThrow();
    for (const good of [await following, await single.run(module, {})]) {
      expect(good.failure).toBeUndefined();
      expect(text(good.stdout)).toBe('carried\n');
    }
  });

  it('drops an aborted task that was waiting, without disturbing the running one', async () => {
    const controller = new AbortController();
    const running = single.run(await single.compile(spinModule(200_000_000)), {});
    const waiting = single.run(
      await single.compile(helloModule('x')),
      {},
      { signal: controller.signal },
    );
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect((await running).failure).toBeUndefined();
    const later = await single.run(await single.compile(helloModule('later\n')), {});
    expect(text(later.stdout)).toBe('later\n');
  });
});
