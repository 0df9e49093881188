import { join } from 'node:path';
import { MAX_TASK_ARGV_ENV_BYTES } from '@anygrid/protocol';
import { Anygrid } from '@anygrid/sdk';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, example, startAgent, useCoordinator } from './harness.js';

/** argv as examples/echo.wasm lists it on stderr: `argv[i]=value` lines. */
function listedArgv(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('argv['))
    .map((l) => l.slice(l.indexOf('=') + 1));
}

describe("a task's command line on the grid", () => {
  const ctx = useCoordinator();

  it('takes argv + environment of exactly the byte bound and refuses one byte more', async () => {
    const { coord, requester, providerToken } = ctx;
    startAgent(coord.url, providerToken, { slots: 1 });
    const module = await requester.upload(example('echo.wasm'));
    // '€' is 3 UTF-8 bytes: the bound counts bytes, not characters.
    const env = { LANG: 'C' };
    const envBytes = 'LANG=C'.length + 1;
    const long = `-t${'€'.repeat(1000)}${'x'.repeat(MAX_TASK_ARGV_ENV_BYTES - envBytes - 3 * 1000 - 2 - 1 - 3)}`;
    const args = ['-o', long];
    const over = await requester.post('/v1/jobs', {
      module,
      tasks: [{ args: [...args, ''], env }],
    });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('INVALID_REQUEST');
    expect(over.body.error.message).toContain(String(MAX_TASK_ARGV_ENV_BYTES));

    const grid = new Anygrid({ url: coord.url, token: await ctx.admin.token('requester') });
    const job = await grid.submit({ module: example('echo.wasm'), tasks: [{ args, env }] });
    const [result] = await collect(job.results());
    expect(result?.outcome).toBe('valid');
    expect(listedArgv(result?.stderr ?? '')).toEqual(['main.wasm', ...args]);
  });

  it('gives tasks the argv[0] the job names, the module file name by default', async () => {
    const grid = new Anygrid({ url: ctx.coord.url, token: await ctx.admin.token('requester') });
    const byPath = await grid.submit({
      module: join(EXAMPLES, 'echo.wasm'),
      tasks: [{ args: ['a'] }],
    });
    expect((await byPath.view()).argv0).toBe('echo.wasm');
    const named = await grid.submit({
      module: example('echo.wasm'),
      argv0: 'busybox',
      tasks: [{ args: ['b'] }],
    });
    expect((await named.view()).argv0).toBe('busybox');
    const [first] = await collect(byPath.results());
    const [second] = await collect(named.results());
    expect(listedArgv(first?.stderr ?? '')).toEqual(['echo.wasm', 'a']);
    expect(listedArgv(second?.stderr ?? '')).toEqual(['busybox', 'b']);
  });

  it('refuses an argv[0] that is empty, too long or holds a NUL, with the field named', async () => {
    const module = await ctx.requester.upload(example('echo.wasm'));
    for (const argv0 of ['', 'x'.repeat(256), 'a\0b']) {
      const r = await ctx.requester.post('/v1/jobs', { module, argv0, tasks: [{}] });
      expect(r.status).toBe(400);
      expect(r.body.error.details.issues[0].path).toBe('argv0');
    }
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
