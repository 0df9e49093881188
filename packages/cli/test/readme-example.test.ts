/**
 * @module
 * The README, followed as a reader would on a fresh clone: `npm start`, then every line of
 * its ```sh blocks in the order shown, each pasted into `bash -c`, each expected to exit 0.
 *
 * The lines run in a stand-in for the clone: a temp directory holding a symlink to each of
 * the repo's tracked top-level entries and `node_modules`, with `.anygrid/` as the data
 * directory of the test's own `npm start`. So `npx anygrid` resolves to the repo's bin
 * (root package.json `bin`), `examples/…` paths work, the lines' `.anygrid/*.token` files
 * are this coordinator's, and what the lines write (`results/`, `out/`) stays out of the
 * repo. The coordinator runs on a free port, so the README's `127.0.0.1:7070` becomes that
 * port. `export` lines carry over to the lines after them, as in one terminal.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countPrimes, REPO, removeDir, stopProcess, tempDir, waitFor } from './harness.js';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');
/** The file the README's TypeScript example is, and the command that runs it names. */
const EXAMPLE_FILE = 'examples/primes.ts';

/** One line of a ```sh block. */
interface ShellLine {
  /** As the README shows it, comment included. */
  readonly shown: string;
  /** Without its trailing `# comment`. */
  readonly bare: string;
}

/** Every line of the README's ```sh blocks, in order; `\` continuations joined. */
function shellLines(markdown: string): ShellLine[] {
  const lines: ShellLine[] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    const text = (block[1] ?? '').replace(/\\\n\s*/g, '');
    for (const shown of text.split('\n').map((l) => l.trim())) {
      if (!shown || shown.startsWith('#')) continue;
      lines.push({ shown, bare: shown.replace(/\s+#\s.*$/, '') });
    }
  }
  return lines;
}

/** The body of the README's first ```ts block. */
function typescriptExample(markdown: string): string {
  const m = /^```ts\n([\s\S]*?)^```/m.exec(markdown);
  if (!m?.[1]) throw new Error('README has no ```ts block');
  return m[1];
}

/** The README section under `## title`, up to the next `## `. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** What the README's `[--opt N]` optional parts and example hosts mean on this machine. */
function asPasted(line: string, port: number): string {
  return line
    .replace(/\s\[--[^\]]*\]/g, '')
    .replace(/\b(127\.0\.0\.1|COORDINATOR|localhost):7070\b/g, `127.0.0.1:${port}`);
}

/** A directory that looks like the clone after `npm ci`, its writes kept apart from it. */
function standInClone(): string {
  const dir = tempDir('anygrid-readme-');
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' });
  const top = new Set(tracked.split('\0').map((p) => p.split('/')[0] ?? ''));
  top.add('node_modules');
  for (const name of top) if (name) symlinkSync(join(REPO, name), join(dir, name));
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The environment a new terminal has: none of ours, and npx may not fetch packages. */
function terminalEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_yes: 'false' };
  for (const key of Object.keys(env)) if (key.startsWith('ANYGRID_')) delete env[key];
  return env;
}

/** Starts `bash -c script` in its own process group, collecting its output. */
function bash(script: string, cwd: string) {
  const proc = spawn('bash', ['-c', script], {
    cwd,
    env: terminalEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let stdout = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { proc, output: () => out, stdout: () => stdout };
}

async function exitCode(proc: ChildProcess, timeoutMs: number): Promise<number | string> {
  if (proc.exitCode !== null) return proc.exitCode;
  if (proc.signalCode !== null) return proc.signalCode;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (proc.pid) process.kill(-proc.pid, 'SIGKILL');
    }, timeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal ?? 'unknown');
    });
  });
}

/** Providers connected to the coordinator, from its Prometheus metrics. */
async function agentsConnected(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^anygrid_agents_connected (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

describe('the README, followed on a fresh clone', () => {
  const clone = standInClone();
  const dataDir = join(clone, '.anygrid');
  const lines = shellLines(README);
  const session: string[] = [];
  let start: ChildProcess | undefined;
  let startOutput = '';
  let port = 0;
  let url = '';

  beforeAll(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    start = spawn('npm', ['start', '--silent', '--', '--data', dataDir, '--port', String(port)], {
      cwd: REPO,
      env: { ...process.env, ANYGRID_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const collect = (d: Buffer) => {
      startOutput += d.toString();
    };
    start.stdout?.on('data', collect);
    start.stderr?.on('data', collect);
    const started = start;
    await waitFor(
      'npm start to print its next step',
      async () => {
        if (started.exitCode !== null) throw new Error(`npm start exited:\n${startOutput}`);
        return /export ANYGRID_URL=/.test(startOutput);
      },
      120_000,
      100,
    );
  }, 150_000);

  afterAll(async () => {
    // npm start runs the CLI as a grandchild: signal the whole process group.
    if (start?.pid && start.exitCode === null) process.kill(-start.pid, 'SIGTERM');
    if (start) await stopProcess(start, 'SIGTERM');
    removeDir(clone);
  });

  it('`npm start` prints its URL, the admin token and what to paste next', () => {
    expect(startOutput).toContain(url);
    expect(startOutput).toMatch(/admin token/);
  });

  it(`shows ${EXAMPLE_FILE} as its TypeScript example, and the one command that runs it`, () => {
    expect(typescriptExample(README)).toBe(readFileSync(join(REPO, EXAMPLE_FILE), 'utf8'));
    expect(lines.filter((l) => l.bare.includes(EXAMPLE_FILE))).toHaveLength(1);
  });

  for (const line of lines) {
    // `npm ci && npm start` is what this file starts above; `npm test` is what runs it.
    if (/^npm (ci|start|test)\b/.test(line.bare)) continue;
    if (/\banygrid provide\b/.test(line.bare)) {
      it(`${line.shown}  (run against this coordinator, as if on another machine)`, async () => {
        // The provider token the reader copied to the other machine, where none of the
        // requester's exports are set.
        copyFileSync(join(dataDir, 'provider.token'), join(clone, 'provider.token'));
        const before = await agentsConnected(url);
        const agent = bash(asPasted(line.bare, port), clone);
        try {
          await waitFor(
            'the provider to connect',
            async () => agent.proc.exitCode !== null || (await agentsConnected(url)) > before,
            60_000,
          ).catch((err: Error) => {
            throw new Error(`${err.message}\n${agent.output()}`);
          });
          expect(agent.proc.exitCode, agent.output()).toBeNull();
          // Ctrl-C, as the README says, goes to the whole foreground group: the agent hands
          // back what it holds and exits 0; npx and bash then end by SIGINT, as usual.
          if (agent.proc.pid) process.kill(-agent.proc.pid, 'SIGINT');
          expect([0, 'SIGINT']).toContain(await exitCode(agent.proc, 30_000));
          await waitFor(
            'the provider to leave',
            async () => (await agentsConnected(url)) === before,
          );
        } finally {
          if (agent.proc.pid && agent.proc.exitCode === null && agent.proc.signalCode === null) {
            process.kill(-agent.proc.pid, 'SIGKILL');
          }
        }
      }, 120_000);
      continue;
    }
    it(line.shown, async () => {
      const command = asPasted(line.bare, port);
      const run = bash([...session, command].join('\n'), clone);
      const code = await exitCode(run.proc, 150_000);
      expect(code, `${command}\n${run.output()}`).toBe(0);
      if (command.startsWith('export ')) session.push(command);
      if (command.includes(EXAMPLE_FILE)) expectPrimes(run.stdout());
    }, 180_000);
  }
});

/** The example's output: the right counts, and the ones the README says it prints. */
function expectPrimes(stdout: string): void {
  const expected = [0, 1, 2].map((i) => `${i} ${countPrimes(i * 100_000, (i + 1) * 100_000)}`);
  expect(stdout.trim().split('\n').sort()).toEqual(expected);
  const prose = section(README, 'Submit from TypeScript');
  for (const line of expected) expect(prose).toContain(`\`${line}\``);
}
