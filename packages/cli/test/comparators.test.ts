/**
 * Comparators on real processes (issue 10, acceptance 3): a coordinator, a real agent
 * running the module, and a crafted provider (real protocol, crafted outputs) whose
 * answers differ from the agent's in the last bits of floats or in line order. `numeric`
 * accepts the float differences that `exact` refuses; a `validator` module decides a
 * real case; validators that loop, crash or answer garbage end the task `no_consensus`
 * while the coordinator keeps answering.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCraftedProvider } from './crafted-provider.js';
import {
  client,
  example,
  removeDir,
  runCli,
  sha256,
  startAgent,
  tempDir,
  useCoordinator,
} from './harness.js';
import { allResults, decodeStdout, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

const LINES = 'alpha\nbeta\ngamma\n';
const SHUFFLED = 'gamma\nalpha\nbeta\n';
/** The task of the floats module whose crafted answer is really different. */
const WRONG_N = '7';

/** The next double above x: a difference in the last bit. */
function nextUp(x: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  v.setBigUint64(0, v.getBigUint64(0) + 1n);
  return v.getFloat64(0);
}

/** floats.wasm's values k/10 for k = 1..n, each one bit off (and one far off for WRONG_N). */
function craftedFloats(n: string): number[] {
  return Array.from({ length: Number(n) }, (_, i) =>
    n === WRONG_N && i === 0 ? 0.1001 : nextUp((i + 1) / 10),
  );
}

function float64s(values: readonly number[]): Uint8Array {
  const v = new DataView(new ArrayBuffer(values.length * 8));
  for (const [i, x] of values.entries()) v.setFloat64(i * 8, x, true);
  return new Uint8Array(v.buffer);
}

describe('comparators on a real job', () => {
  const ctx = useCoordinator();
  let stopCrafted: () => Promise<number>;
  const floats = example('floats.wasm');
  const echo = example('echo.wasm');

  beforeAll(async () => {
    const { coord, admin } = ctx;
    // Two accounts: one owner's hosts may never form a quorum together.
    startAgent(coord.url, await admin.token('provider', 'real-owner'), { slots: 2, name: 'real' });
    const crafted = client(coord.url, await admin.token('provider', 'crafted-owner'));
    ({ stop: stopCrafted } = await startCraftedProvider(crafted, 'crafted', (a) => {
      if (a.moduleHash === sha256(echo)) return { stdout: SHUFFLED };
      const [format, n] = a.args as [string, string];
      if (format === 'f64')
        return { stdout: 'ok\n', files: { 'out.bin': float64s(craftedFloats(n)) } };
      return { stdout: `[${craftedFloats(n).join(', ')}]\n` };
    }));
  });

  afterAll(async () => {
    await stopCrafted?.();
  });

  async function submit(
    module: Uint8Array,
    tasks: unknown[],
    compare?: Record<string, unknown>,
  ): Promise<number> {
    const { requester } = ctx;
    const ref = await requester.upload(module);
    const r = await requester.post('/v1/jobs', {
      module: ref,
      // Two replicas and no more: the two providers' answers agree or the task ends.
      policy: { redundancy: 2, maxTotal: 2, ...(compare ? { compare } : {}) },
      tasks,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  }

  it('numeric accepts outputs that differ in the last float bits; exact does not', async () => {
    const { requester, coord } = ctx;
    const tasks = [
      ['json', '5'],
      ['json', '3'],
      ['json', WRONG_N],
    ].map((args) => ({ args }));
    const numeric = await submit(floats, tasks, { kind: 'numeric' });
    const exact = await submit(floats, tasks);

    const n = await waitForJob(requester, numeric);
    expect(n.policy.compare).toEqual({
      kind: 'numeric',
      absTol: 0,
      relTol: 1e-9,
      source: 'stdout',
      format: 'json',
    });
    expect(n.progress).toMatchObject({ total: 3, valid: 2, noConsensus: 1 });
    const results = await allResults(requester, numeric);
    for (const r of results) {
      const args = tasks[r.index]?.args as string[];
      if (args[1] === WRONG_N) {
        expect(r.outcome).toBe('no_consensus');
        expect(r.candidates).toHaveLength(2);
        continue;
      }
      expect(r.outcome).toBe('valid');
      const values = JSON.parse(decodeStdout(r)) as number[];
      expect(values).toHaveLength(Number(args[1]));
      for (const [k, v] of values.entries()) expect(v).toBeCloseTo((k + 1) / 10, 12);
    }

    const e = await waitForJob(requester, exact);
    expect(e.progress).toMatchObject({ total: 3, valid: 0, noConsensus: 3 });

    // The agreeing replicas really differed byte for byte, and both were judged valid.
    const store = inspectStore(coord.dataDir);
    const rows = store.query<{ task_id: number; digests: number; valid: number }>(
      `SELECT task_id, COUNT(DISTINCT digest) AS digests,
              SUM(validation = 'valid') AS valid
       FROM replicas WHERE job_id = ? AND state = 'reported' GROUP BY task_id`,
      numeric,
    );
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.digests === 2)).toBe(true);
    expect(rows.filter((row) => row.valid === 2)).toHaveLength(2);
    store.close();
  });

  it('numeric compares a named file of raw float64 and keeps stdout exact', async () => {
    const { requester } = ctx;
    const job = await submit(floats, [{ args: ['f64', '6'] }, { args: ['f64', WRONG_N] }], {
      kind: 'numeric',
      relTol: 1e-12,
      source: { file: 'out.bin' },
      format: 'float64',
    });
    const final = await waitForJob(requester, job);
    expect(final.progress).toMatchObject({ total: 2, valid: 1, noConsensus: 1 });
    const results = await allResults(requester, job);
    const good = results.find((r) => r.outcome === 'valid');
    expect(good?.index).toBe(0);
    expect(decodeStdout(good)).toBe('ok\n');
    expect(good?.files['out.bin']?.size).toBe(48);
  });

  it('a validator module decides a real case: outputs equal up to line order', async () => {
    const { requester } = ctx;
    const stdin = await requester.upload(Buffer.from(LINES));
    const validator = await requester.upload(example('samelines.wasm'));
    const withValidator = await submit(echo, [{ stdin }, { stdin }], {
      kind: 'validator',
      module: validator,
    });
    const plain = await submit(echo, [{ stdin }]);
    const final = await waitForJob(requester, withValidator);
    expect(final.progress).toMatchObject({ total: 2, valid: 2 });
    for (const r of await allResults(requester, withValidator)) {
      expect([LINES, SHUFFLED]).toContain(decodeStdout(r));
    }
    expect((await waitForJob(requester, plain)).progress).toMatchObject({ noConsensus: 1 });
  });

  it.each([
    ['loops', 'loop.wasm'],
    ['crashes', 'trap.wasm'],
    ['answers garbage', 'echo.wasm'],
  ])(
    'a validator that %s is stopped and the task ends no_consensus, never a 5xx',
    async (_, file) => {
      const { requester, coord } = ctx;
      const stdin = await requester.upload(Buffer.from(LINES));
      const validator = await requester.upload(example(file));
      const job = await submit(echo, [{ stdin }], {
        kind: 'validator',
        module: validator,
        timeoutMs: 500,
      });
      const until = Date.now() + 60_000;
      let view: { state: string; progress: { noConsensus: number } } | undefined;
      while (Date.now() < until) {
        // The coordinator answers all along, validator running or not.
        const health = await requester.get('/v1/health');
        expect(health.status).toBe(200);
        const r = await requester.get(`/v1/jobs/${job}`);
        expect(r.status).toBe(200);
        view = r.body;
        if (view?.state !== 'running') break;
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(view?.progress.noConsensus).toBe(1);
      const [result] = await allResults(requester, job);
      expect(result.outcome).toBe('no_consensus');
      const store = inspectStore(coord.dataDir);
      const failed = store.query<{ data: string }>(
        `SELECT data FROM events WHERE kind = 'comparison_failed' AND job_id = ?`,
        job,
      );
      expect(failed).toHaveLength(1);
      expect(JSON.parse(failed[0]?.data ?? '{}').reason).toMatch(/validator/);
      store.close();
    },
  );

  it('anygrid submit --validator uploads the module and the job validates', async () => {
    const { coord, admin } = ctx;
    const dir = tempDir();
    const input = join(dir, 'lines.txt');
    writeFileSync(input, LINES);
    const env = { ANYGRID_URL: coord.url, ANYGRID_TOKEN: await admin.token('requester') };
    const run = await runCli(
      [
        'submit',
        'examples/echo.wasm',
        '--stdin',
        input,
        '--redundancy',
        '2',
        '--validator',
        'examples/samelines.wasm',
        '--validator-timeout',
        '2000',
        '--wait',
        '--json',
      ],
      { env },
    );
    removeDir(dir);
    expect(run.code, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view.progress).toMatchObject({ total: 1, valid: 1 });
    expect(view.policy.compare).toMatchObject({
      kind: 'validator',
      module: { hash: sha256(example('samelines.wasm')) },
      timeoutMs: 2000,
    });

    const numeric = await runCli(
      [
        'submit',
        'examples/floats.wasm',
        '--redundancy',
        '2',
        '--compare',
        'numeric',
        '--rel-tol',
        '1e-12',
        '--compare-file',
        'out.bin',
        '--compare-format',
        'float64',
        '--wait',
        '--json',
        '--',
        'f64',
        '4',
      ],
      { env },
    );
    expect(numeric.code, numeric.stderr).toBe(0);
    expect(JSON.parse(numeric.stdout).progress).toMatchObject({ total: 1, valid: 1 });

    const stray = await runCli(
      ['submit', 'examples/floats.wasm', '--abs-tol', '1', '--', 'json', '1'],
      {
        env,
      },
    );
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--abs-tol needs --compare numeric/);
  });

  it('refuses a bad comparator with a 4xx and a stable code', async () => {
    const { requester } = ctx;
    const module = await requester.upload(floats);
    const tasks = [{ args: ['json', '1'] }];
    const bad = await requester.post('/v1/jobs', {
      module,
      policy: { compare: { kind: 'numeric', relTol: -1 } },
      tasks,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_REQUEST');
    const unknown = await requester.post('/v1/jobs', {
      module,
      policy: { compare: { kind: 'fuzzy' } },
      tasks,
    });
    expect(unknown.status).toBe(400);
    const missing = await requester.post('/v1/jobs', {
      module,
      policy: { compare: { kind: 'validator', module: { hash: sha256('nothing'), size: 7 } } },
      tasks,
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('BLOB_MISSING');
    // The OpenAPI document, generated from the same schemas, describes the comparators.
    const openapi = JSON.stringify((await requester.get('/v1/openapi.json')).body);
    for (const word of ['"numeric"', '"validator"', '"relTol"', '"float64"']) {
      expect(openapi).toContain(word);
    }
  });
});
