/**
 * @module
 * Real processes for integration tests: a coordinator (`anygrid serve`) on a free port
 * of 127.0.0.1 with its own data dir, provider agents (`anygrid provide`), and a small
 * HTTP client. Nothing of ours is mocked; every process is killed when the test ends.
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const execFileAsync = promisify(execFile);

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(REPO, 'packages/cli/bin/anygrid.js');
export const EXAMPLES = join(REPO, 'examples');

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/** Kills every process the harness started; call from afterEach/afterAll. */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((p) => stopProcess(p, 'SIGKILL')));
}

export function tempDir(prefix = 'anygrid-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface Spawned {
  readonly proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
}

/** Starts `node ARGS`; an `env` value of undefined removes that variable. */
export function spawnNode(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Spawned {
  const proc = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, ANYGRID_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  proc.on('exit', () => live.delete(proc));
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { proc, output: () => out };
}

/** What a CLI command that ran to its end gave. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `anygrid ARGS` (the built CLI) in the repo to its end, whatever its exit code. */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 90_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Sends a signal and waits for the process to exit. */
export async function stopProcess(
  proc: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 15_000,
): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export interface CoordinatorProcess extends Spawned {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly adminToken: string;
  /** The JSON line `serve --json` printed when it was ready. */
  readonly info: Record<string, unknown>;
}

/** Starts `anygrid serve --json` and waits for its "listening" line. */
export async function startCoordinator(
  options: { dataDir?: string; port?: number; extraArgs?: string[] } = {},
): Promise<CoordinatorProcess> {
  const dataDir = options.dataDir ?? tempDir();
  const s = spawnNode([
    CLI,
    'serve',
    '--data',
    dataDir,
    '--port',
    String(options.port ?? 0),
    '--json',
    ...(options.extraArgs ?? []),
  ]);
  const line = await firstJsonLine(s, 30_000);
  const url = String(line.url);
  const adminToken = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  return { ...s, url, port: Number(new URL(url).port), dataDir, adminToken, info: line };
}

async function firstJsonLine(s: Spawned, timeoutMs: number): Promise<Record<string, unknown>> {
  const stdout = s.proc.stdout;
  if (!stdout) throw new Error('process has no stdout');
  const rl = createInterface({ input: stdout });
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no JSON line within ${timeoutMs} ms:\n${s.output()}`)),
      timeoutMs,
    );
    s.proc.once('exit', (code) =>
      reject(new Error(`process exited (${code}) before it was ready:\n${s.output()}`)),
    );
    rl.on('line', (l) => {
      if (!l.startsWith('{')) return;
      clearTimeout(timer);
      rl.close();
      // Closing the reader paused stdout: later lines (leadership events) are read on.
      stdout.resume();
      resolveLine(JSON.parse(l) as Record<string, unknown>);
    });
  });
}

/** Starts `anygrid provide` against a coordinator. */
export function startAgent(
  url: string,
  token: string,
  options: {
    slots?: number;
    name?: string;
    env?: Record<string, string>;
    /** More `provide` options, after the others. */
    extraArgs?: readonly string[];
  } = {},
): Spawned {
  return spawnNode(
    [
      CLI,
      'provide',
      '--coordinator',
      url,
      '--token',
      token,
      '--slots',
      String(options.slots ?? 2),
      '--name',
      options.name ?? 'agent',
      ...(options.extraArgs ?? []),
    ],
    options.env,
  );
}

/** Starts an agent that corrupts every output: a saboteur for validation tests. */
export function startSaboteur(
  url: string,
  token: string,
  slots = 2,
  env?: Record<string, string>,
): Spawned {
  return spawnNode(
    [join(REPO, 'packages/cli/test/fixtures/saboteur-agent.js'), url, token, String(slots)],
    env,
  );
}

export interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** A bare HTTP client, so tests see exactly what the coordinator answers. */
export function client(url: string, token?: string) {
  const request = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> => {
    const raw = body instanceof Uint8Array || typeof body === 'string';
    const res = await fetch(url + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined
          ? {}
          : {
              'content-type':
                raw && body instanceof Uint8Array ? 'application/octet-stream' : 'application/json',
            }),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T };
  };
  return {
    request,
    get: <T = any>(path: string) => request<T>('GET', path),
    post: <T = any>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
    async token(role: 'requester' | 'provider' | 'admin', account?: string): Promise<string> {
      const r = await request<{ token: string }>('POST', '/v1/tokens', {
        role,
        ...(account ? { account } : {}),
      });
      if (r.status !== 201)
        throw new Error(`token create failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token;
    },
    async upload(bytes: Uint8Array): Promise<{ hash: string; size: number }> {
      const hash = sha256(bytes);
      const r = await request('PUT', `/v1/blobs/${hash}`, bytes);
      if (r.status !== 201 && r.status !== 200)
        throw new Error(`upload failed: ${r.status} ${JSON.stringify(r.body)}`);
      return { hash, size: bytes.byteLength };
    },
  };
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function example(name: string): Buffer {
  return readFileSync(join(EXAMPLES, name));
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Counts primes in [start, end) independently of the wasm module. */
export function countPrimes(start: number, end: number): number {
  let n = 0;
  for (let p = Math.max(2, start); p < end; p++) {
    let prime = true;
    for (let d = 2; d * d <= p; d++) {
      if (p % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) n++;
  }
  return n;
}

/**
 * A data dir for coordinators that share it (one SQLite store), made now; after the
 * file's tests every process the harness started is killed and the dir removed.
 */
export function useSharedDataDir(prefix: string): string {
  const dataDir = tempDir(prefix);
  afterAll(async () => {
    await killAll();
    removeDir(dataDir);
  });
  return dataDir;
}

/** What `useCoordinator` gives each test: a running coordinator with an admin, a provider token and a requester. */
export interface CoordinatorContext {
  coord: CoordinatorProcess;
  admin: ReturnType<typeof client>;
  providerToken: string;
  requester: ReturnType<typeof client>;
}

/**
 * Starts a coordinator before the file's tests (with a provider token and a requester
 * client ready) and kills every process and removes the data dir after them.
 */
export function useCoordinator(): CoordinatorContext {
  const ctx = {} as CoordinatorContext;
  beforeAll(async () => {
    ctx.coord = await startCoordinator();
    ctx.admin = client(ctx.coord.url, ctx.coord.adminToken);
    ctx.providerToken = await ctx.admin.token('provider');
    ctx.requester = client(ctx.coord.url, await ctx.admin.token('requester'));
  });
  afterAll(async () => {
    await killAll();
    removeDir(ctx.coord.dataDir);
  });
  return ctx;
}

/** `useCoordinator` with one agent joined before the tests. */
export interface AgentGridContext extends CoordinatorContext {
  /** ANYGRID_URL and a requester's ANYGRID_TOKEN, for CLI runs against this grid. */
  readonly cliEnv: Record<string, string>;
}

/** Starts a coordinator and one agent of `slots` slots before the file's tests. */
export function useCoordinatorWithAgent(slots = 2): AgentGridContext {
  const ctx = useCoordinator() as AgentGridContext;
  const cliEnv: Record<string, string> = {};
  Object.assign(ctx, { cliEnv });
  beforeAll(async () => {
    cliEnv.ANYGRID_URL = ctx.coord.url;
    cliEnv.ANYGRID_TOKEN = await ctx.admin.token('requester');
    const agent = startAgent(ctx.coord.url, ctx.providerToken, { slots });
    await waitFor('the agent to join', async () => agent.output().includes('joined'));
  });
  return ctx;
}

/** A coordinator that tests may kill and start again on the same data dir and port. */
export interface RestartableContext {
  readonly dataDir: string;
  coord: CoordinatorProcess;
  /**
   * SIGKILLs the coordinator (if still running) and starts a new one in its place;
   * `whileDown` runs in between (to replace its files, say).
   */
  restart(whileDown?: () => Promise<void>): Promise<CoordinatorProcess>;
}

/**
 * `useCoordinator` for tests that kill the coordinator: the same port keeps agents'
 * coordinator URL valid, so they reconnect by themselves.
 */
export function useRestartableCoordinator(extraArgs: string[] = []): RestartableContext {
  const ctx: RestartableContext = {
    dataDir: tempDir(),
    coord: undefined as unknown as CoordinatorProcess,
    async restart(whileDown) {
      await stopProcess(ctx.coord.proc, 'SIGKILL');
      await whileDown?.();
      ctx.coord = await startCoordinator({ dataDir: ctx.dataDir, port: ctx.coord.port, extraArgs });
      return ctx.coord;
    },
  };
  beforeAll(async () => {
    ctx.coord = await startCoordinator({ dataDir: ctx.dataDir, extraArgs });
  });
  afterAll(async () => {
    await killAll();
    removeDir(ctx.dataDir);
  });
  return ctx;
}
