/**
 * Acceptance (issue 12, point 2) with real processes: a job carrying mrprime.wasm and a
 * native linux-x64 build of the same C source (examples/src/mrprime.c) runs the native
 * build on an agent started with --allow-native (the task view names the variant each
 * replica ran), gives the same output as the wasm module run by an agent without it, and
 * is faster; an agent asked for native code without a working bubblewrap says so and runs
 * wasm; hostile native programs are stopped with clear failure codes. Without bubblewrap
 * or clang (a laptop) the native parts are skipped with the reason printed and the wasm
 * path is still tested; under CI they fail instead.
 */

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createSigningKey, signModuleHash } from '@anygrid/protocol/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildNative, nativeTestable } from '../../agent/test/native-programs.js';
import {
  example,
  type Spawned,
  startAgent,
  stopProcess,
  tempDir,
  useCoordinator,
  waitFor,
} from './harness.js';
import { allResults, type Client, decodeStdout, waitForJob } from './job-flow.js';

const testable = nativeTestable();

/** 10^18: Miller-Rabin on 64-bit numbers, where native code is about 3x faster than wasm. */
const BASE = 10n ** 18n;

/** `[start, count]` arguments of tasks of `width` numbers each, from BASE. */
const ranges = (tasks: number, width: number): string[][] =>
  Array.from({ length: tasks }, (_, i) => [String(BASE + BigInt(i * width)), String(width)]);

/** Three tasks of a few hundred ms natively, clearly more in wasm. */
const TASKS = ranges(3, 1_500_000);

describe('app variants with native code', () => {
  const ctx = useCoordinator();
  let dir: string | undefined;
  let agents: Spawned[] = [];
  const outputs = new Map<string, string[]>();
  const durations = new Map<string, number[]>();

  beforeAll(() => {
    if (testable) dir = buildNative(['mrprime', 'netprobe', 'escape', 'forkbomb', 'loop']);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Each test's agents stop with it, failed or not: a leftover would take the next one's work.
  afterEach(async () => {
    for (const a of agents) await stopProcess(a.proc);
    agents = [];
  });

  /** The native mrprime build, or (without a compiler) other bytes: they never run then. */
  const nativeBuild = () => (dir ? readFileSync(join(dir, 'mrprime')) : example('trivial.wasm'));

  /** Submits the mrprime job with its linux-x64 variant; returns its id. */
  const submitPrimeJob = async (c: Client): Promise<number> => {
    const module = await c.upload(example('mrprime.wasm'));
    const native = await c.upload(nativeBuild());
    const r = await c.post('/v1/jobs', {
      name: 'primes-variants',
      module,
      argv0: 'mrprime',
      variants: [{ platform: 'linux-x64', module: native }],
      policy: { maxErrors: 0 },
      tasks: TASKS.map((args) => ({ args })),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };

  /** Runs the job to its end and records outputs and run times under `label`. */
  const runJob = async (label: string, expectVariant: string) => {
    const { requester } = ctx;
    const id = await submitPrimeJob(requester);
    const done = await waitForJob(requester, id);
    expect(done.state).toBe('completed');
    expect(done.progress.valid).toBe(TASKS.length);
    const results = (await allResults(requester, id)).sort((a, b) => a.index - b.index);
    outputs.set(label, results.map(decodeStdout));
    const times: number[] = [];
    for (let i = 0; i < TASKS.length; i++) {
      const task = await requester.get(`/v1/jobs/${id}/tasks/${i}`);
      expect(task.status).toBe(200);
      const ran = task.body.replicas.filter((r: { state: string }) => r.state === 'reported');
      expect(ran.map((r: { variant: string }) => r.variant)).toEqual([expectVariant]);
      times.push(ran[0].durationMs as number);
    }
    durations.set(label, times);
    // The job view names its variants, with the runs measured for the one that ran.
    const view = (await requester.get(`/v1/jobs/${id}`)).body;
    expect(view.variants.map((v: { key: string }) => v.key)).toEqual(['wasm32-wasi', 'linux-x64']);
    const measured = view.variants.find((v: { key: string }) => v.key === expectVariant);
    expect(measured.runs.count).toBe(TASKS.length);
    return id;
  };

  it.skipIf(!testable)('an --allow-native linux-x64 agent runs the native variant', async () => {
    const agent = startAgent(ctx.coord.url, ctx.providerToken, {
      slots: 1,
      name: 'native',
      extraArgs: ['--allow-native'],
    });
    agents.push(agent);
    await waitFor('native variants on', async () => agent.output().includes('native variants on'));
    await runJob('native', 'linux-x64');
  });

  it('an agent without --allow-native runs the wasm variant', async () => {
    const agent = startAgent(ctx.coord.url, ctx.providerToken, { slots: 1, name: 'plain' });
    agents.push(agent);
    await runJob('wasm', 'wasm32-wasi');
    expect(outputs.get('wasm')).toEqual(['36412\n', '36390\n', '36011\n']);
  });

  it('an agent asked for native code without bubblewrap says why and runs wasm', async () => {
    // A PATH without bwrap or prlimit: what a machine without bubblewrap looks like.
    const empty = tempDir('anygrid-no-bwrap-');
    const agent = startAgent(ctx.coord.url, ctx.providerToken, {
      slots: 1,
      name: 'no-bwrap',
      extraArgs: ['--allow-native'],
      env: { PATH: empty },
    });
    agents.push(agent);
    await waitFor('native variants off', async () =>
      agent.output().includes('native variants off'),
    );
    expect(agent.output()).toContain('bubblewrap (bwrap) or prlimit not found on the PATH');
    await runJob('fallback', 'wasm32-wasi');
    rmSync(empty, { recursive: true, force: true });
  });

  it.skipIf(!testable)('the native variant gives the wasm output', () => {
    expect(outputs.get('native')).toEqual(outputs.get('wasm'));
  });

  /** Starts an agent of its own account (replicas of one task go to distinct accounts). */
  const agentOf = async (name: string, native: boolean) => {
    const token = await ctx.admin.token('provider', `acct-${name}`);
    const agent = startAgent(ctx.coord.url, token, {
      slots: 1,
      name,
      ...(native ? { extraArgs: ['--allow-native'] } : {}),
    });
    agents.push(agent);
    if (native) {
      await waitFor(`${name}: native variants on`, async () =>
        agent.output().includes('native variants on'),
      );
    }
    return agent;
  };

  /** Submits a replicated mrprime job with variants and waits for it; returns each task's replicas. */
  const replicatedJob = async (policy: Record<string, unknown>, tasks: number) => {
    const { requester } = ctx;
    const module = await requester.upload(example('mrprime.wasm'));
    const native = await requester.upload(nativeBuild());
    const r = await requester.post('/v1/jobs', {
      module,
      argv0: 'mrprime',
      variants: [{ platform: 'linux-x64', module: native }],
      policy: { redundancy: 2, quorum: 2, ...policy },
      tasks: ranges(tasks, 1_000_000).map((args) => ({ args })),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const done = await waitForJob(requester, r.body.id);
    // Quorum 2: every task valid means its two replicas' outputs were byte-equal.
    expect(done.progress.valid).toBe(tasks);
    const replicas: { variant: string; durationMs: number; validation: string }[][] = [];
    for (let i = 0; i < tasks; i++) {
      const task = (await requester.get(`/v1/jobs/${r.body.id}/tasks/${i}`)).body;
      replicas.push(task.replicas.filter((x: { state: string }) => x.state === 'reported'));
    }
    return replicas;
  };

  it.skipIf(!testable)(
    'mixedVariants: native and wasm replicas of a task agree, and native is faster',
    async () => {
      await agentOf('mixed-native', true);
      await agentOf('mixed-plain', false);
      const tasks = await replicatedJob({ mixedVariants: true }, 4);
      const times: Record<string, number[]> = { 'linux-x64': [], 'wasm32-wasi': [] };
      for (const replicas of tasks) {
        expect(replicas.map((r) => r.variant).sort()).toEqual(['linux-x64', 'wasm32-wasi']);
        for (const r of replicas) times[r.variant]?.push(r.durationMs);
      }
      // Both ran side by side on one loaded machine: the same contention for each.
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const native = mean(times['linux-x64'] ?? []);
      const wasm = mean(times['wasm32-wasi'] ?? []);
      console.log(
        `[native-variants] mean run time of mrprime.c over 1 M numbers: native ${native.toFixed(0)} ms, wasm ${wasm.toFixed(0)} ms`,
      );
      expect(native).toBeGreaterThan(0);
      expect(native).toBeLessThan(wasm);
    },
  );

  it.skipIf(!testable)('without mixedVariants a task’s replicas all run one variant', async () => {
    await agentOf('pin-native-a', true);
    await agentOf('pin-native-b', true);
    await agentOf('pin-plain', false);
    const tasks = await replicatedJob({}, 6);
    for (const replicas of tasks) {
      expect(replicas).toHaveLength(2);
      expect(replicas[0]?.variant).toBe(replicas[1]?.variant);
    }
  });

  it('refuses bad variants with stable codes, before any task is stored', async () => {
    const { requester } = ctx;
    const module = await requester.upload(example('mrprime.wasm'));
    const native = await requester.upload(nativeBuild());
    const tasks = [{ args: ['0', '10'] }];
    const submit = (body: Record<string, unknown>) =>
      requester.post('/v1/jobs', { module, tasks, ...body });
    const x64 = { platform: 'linux-x64', module: native };
    const twice = await submit({ variants: [x64, x64] });
    expect(twice.status).toBe(400);
    expect(twice.body.error.code).toBe('INVALID_REQUEST');
    const windows = await submit({ variants: [{ ...x64, platform: 'win32-x64' }] });
    expect(windows.status).toBe(400);
    const missing = await submit({
      variants: [{ ...x64, module: { hash: 'c'.repeat(64), size: 3 } }],
    });
    expect(missing.body.error.code).toBe('BLOB_MISSING');
    // Not an executable of its platform: refused at submit, not failed on every provider.
    const notNative = await submit({ variants: [{ ...x64, module }] });
    expect(notNative.status).toBe(400);
    expect(notNative.body.error.message).toMatch(/not a linux-x64 executable: it is a WebAssembly/);
    // A signed job signs its variants too, each for its own executable.
    const key = createSigningKey();
    const signature = signModuleHash(module.hash, key.privateKeyPem);
    const unsigned = await submit({ signature, variants: [x64] });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.error.message).toContain('variant 0 (linux-x64) is not');
    const wrong = await submit({ signature, variants: [{ ...x64, signature }] });
    expect(wrong.body.error.code).toBe('SIGNATURE_INVALID');
    const good = signModuleHash(native.hash, key.privateKeyPem);
    const signed = await submit({ signature, variants: [{ ...x64, signature: good }] });
    expect(signed.status).toBe(201);
    await requester.post(`/v1/jobs/${signed.body.id}/cancel`);
  });

  it.skipIf(!testable)('hostile native programs are stopped with clear failure codes', async () => {
    const { requester } = ctx;
    const agent = startAgent(ctx.coord.url, ctx.providerToken, {
      slots: 2,
      name: 'native-hostile',
      extraArgs: ['--allow-native'],
    });
    agents.push(agent);
    await waitFor('native variants on', async () => agent.output().includes('native variants on'));
    const outside = join(tempDir('anygrid-escape-'), 'escaped');
    const hostile = async (program: string, args: string[], timeoutMs = 5_000) => {
      const module = await requester.upload(example('trivial.wasm'));
      const native = await requester.upload(readFileSync(join(dir as string, program)));
      const r = await requester.post('/v1/jobs', {
        name: program,
        module,
        argv0: program,
        variants: [{ platform: 'linux-x64', module: native }],
        policy: { maxErrors: 0, limits: { wallTimeMs: timeoutMs } },
        tasks: [{ args }],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      await waitForJob(requester, r.body.id);
      const [result] = await allResults(requester, r.body.id);
      const task = (await requester.get(`/v1/jobs/${r.body.id}/tasks/0`)).body;
      expect(task.replicas[0].variant).toBe('linux-x64');
      expect(result.outcome).toBe('failed');
      return result.errors[0] as { code: string; message: string };
    };
    const net = await hostile('netprobe', []);
    expect(net.code).toBe('sandbox_violation');
    const escaped = await hostile('escape', [outside]);
    expect(escaped.code).toBe('exit_code');
    expect(escaped.message).toContain('Read-only file system');
    expect(() => readFileSync(outside)).toThrow();
    const bomb = await hostile('forkbomb', []);
    expect(bomb.code).toBe('exit_code');
    expect(bomb.message).toMatch(
      /fork failed after \d+ processes: Resource temporarily unavailable/,
    );
    const loop = await hostile('loop', [], 1_500);
    expect(loop.code).toBe('time_limit');
    // The agent is still up and working after all of it.
    expect(agent.proc.exitCode).toBeNull();
  });
});
