import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { countPrimes, killAll, REPO, removeDir, stopProcess, tempDir, waitFor } from './harness.js';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The first ```ts block of the README, exactly as written. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const m = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!m?.[1]) throw new Error('README has no ```ts block');
  return m[1];
}

describe('the README', () => {
  const dataDir = tempDir();
  afterAll(async () => {
    await killAll();
    removeDir(dataDir);
  });

  it('SDK example, run as written against `npm start`, prints the right results', async () => {
    const port = await freePort();
    const start = spawn(
      'npm',
      ['start', '--silent', '--', '--data', dataDir, '--port', String(port)],
      {
        cwd: REPO,
        env: { ...process.env, ANYGRID_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let out = '';
    start.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    start.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await waitFor(
        'npm start to print its next step',
        async () => /export ANYGRID_URL=/.test(out),
        120_000,
        100,
      );
      expect(out).toContain(`http://127.0.0.1:${port}`);
      expect(out).toMatch(/admin token/);

      const file = join(REPO, '.tmp-readme-example.mjs');
      writeFileSync(file, readmeExample());
      const token = readFileSync(join(dataDir, 'requester.token'), 'utf8').trim();
      try {
        const { stdout } = await run(process.execPath, [file], {
          cwd: REPO,
          env: { ...process.env, ANYGRID_URL: `http://127.0.0.1:${port}`, ANYGRID_TOKEN: token },
          timeout: 90_000,
        });
        const lines = stdout.trim().split('\n').sort();
        const expected = [0, 1, 2].map(
          (i) => `${i} ${countPrimes(i * 100_000, (i + 1) * 100_000)}`,
        );
        expect(lines).toEqual(expected);
      } finally {
        removeDir(file);
      }
    } finally {
      // npm start runs the CLI as a grandchild: signal the whole process group.
      if (start.pid) process.kill(-start.pid, 'SIGTERM');
      await stopProcess(start, 'SIGTERM');
    }
  });
});
