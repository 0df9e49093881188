/**
 * @module
 * Runtime: the same C programs built with clang -O2 for the host and for wasm32-wasi,
 * run natively (a child process) and in the Anygrid runtime (`NodeSandbox.run`, as a
 * task sees it: from the call to the result, compile excluded and reported apart), with
 * identical output checked. Also: a large module with a genuinely large code section
 * (first task on a fresh sandbox versus the following ones, compile once per host), and
 * the cost of a trivial task through the sandbox, one at a time and many in flight.
 * Rows share one set of columns; "—" where a column does not apply.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeSandbox } from '@anygrid/runtime/node';
import { makeLargeModule } from '../examples/make-large-module.mjs';
import { REPO } from './processes.js';
import { percentile, round } from './stats.js';

const NA = '—';
const MIB = 1024 * 1024;

/** Each program with arguments sized for ~0.3–1 s natively on this kind of machine. */
const PROGRAMS = [
  { name: 'prime', args: ['0', '5000000'], kind: 'compute' },
  { name: 'mandelbrot', args: ['-2', '-1.5', '1', '1.5', '1200', '1200', '1000'], kind: 'compute' },
  {
    name: 'memkernel',
    args: [],
    kind: 'compute',
    note: 'wasm can come out ahead: its malloc reuses the freed 48 MiB triad block for the 64 MiB chase array, while glibc unmaps it and faults fresh pages again (28.7 k minor faults natively vs ~16.4 k for the wasm run), and a fresh 4 KiB page costs ~14 µs on this VM',
  },
  { name: 'syscalls', args: [], kind: 'syscalls', label: 'syscalls 10k writes + 1k files' },
  {
    name: 'syscalls',
    args: ['100000', '10000'],
    kind: 'syscalls',
    label: 'syscalls 100k writes + 10k files',
  },
];
const TARGETS = { compute: 1.3, syscalls: 2 };

const median = (xs) => percentile(xs, 50);

function row(fields) {
  return {
    name: fields.name,
    nativeMs: fields.nativeMs ?? NA,
    wasmMs: fields.wasmMs ?? NA,
    ratio: fields.ratio ?? NA,
    compileMs: fields.compileMs ?? NA,
    tasksPerSecond: fields.tasksPerSecond ?? NA,
    target: fields.target ?? NA,
    met: fields.met ?? NA,
    note: fields.note ?? '',
    ...(fields.skipped ? { skipped: fields.skipped } : {}),
  };
}

function build(mode, names, outDir) {
  const r = spawnSync('bash', [join(REPO, 'examples/build.sh'), mode, ...names], {
    env: { ...process.env, OUTDIR: outDir },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`examples/build.sh ${mode} failed: ${r.stderr}`);
}

function hasClang() {
  return spawnSync(process.env.CLANG ?? 'clang', ['--version']).status === 0;
}

function runNative(binary, args, cwd) {
  const t = performance.now();
  const r = spawnSync(binary, args, { cwd, maxBuffer: 256 * MIB });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${binary} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

async function runWasm(sandbox, module, args) {
  const t = performance.now();
  const r = await sandbox.run(module, {
    args,
    program: 'main',
    dirs: { '/': {} },
    limits: { wallTimeMs: 120_000 },
  });
  const ms = performance.now() - t;
  if (r.failure) throw new Error(`wasm run failed: ${r.failure.code} ${r.failure.message}`);
  return { ms, stdout: r.stdout };
}

/** Native and wasm side by side, interleaved so machine noise hits both alike. */
async function comparePrograms(repeats) {
  if (!hasClang()) {
    return PROGRAMS.map((p) =>
      row({
        name: p.label ?? p.name,
        note: 'skipped: clang not found',
        skipped: 'clang not found',
      }),
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'anygrid-bench-runtime-'));
  const rows = [];
  const sandbox = new NodeSandbox({ maxWorkers: 1 });
  try {
    const names = [...new Set(PROGRAMS.map((p) => p.name))];
    build('native', names, join(dir, 'native'));
    build('wasm', names, join(dir, 'wasm'));
    const compiled = new Map();
    for (const p of PROGRAMS) {
      const bytes = readFileSync(join(dir, 'wasm', `${p.name}.wasm`));
      const t = performance.now();
      const module = await sandbox.compile(bytes);
      // Same program again with other arguments: compiled once, reported once.
      const compileMs = compiled.has(p.name) ? NA : round(performance.now() - t, 1);
      compiled.set(p.name, module);
      const binary = join(dir, 'native', p.name);
      // Warm-up: page cache for the binary, a warm worker and tiered-up code for wasm.
      const reference = runNative(binary, p.args, dir).stdout;
      const first = await runWasm(sandbox, module, p.args);
      if (Buffer.compare(reference, Buffer.from(first.stdout)) !== 0)
        throw new Error(`${p.name}: wasm output differs from native`);
      const native = [];
      const wasm = [];
      for (let i = 0; i < repeats; i++) {
        native.push(runNative(binary, p.args, dir).ms);
        wasm.push((await runWasm(sandbox, module, p.args)).ms);
      }
      const ratio = median(wasm) / median(native);
      const target = TARGETS[p.kind];
      rows.push(
        row({
          name: p.label ?? p.name,
          nativeMs: round(median(native), 1),
          wasmMs: round(median(wasm), 1),
          ratio: round(ratio, 2),
          compileMs,
          target: `≤ ${target}x`,
          met: ratio <= target ? 'yes' : 'no',
          note: [
            `output identical (${reference.length} bytes); median of ${repeats}; first wasm run ${round(first.ms, 1)} ms`,
            p.kind === 'syscalls'
              ? 'native makes real system calls (pipe, tmpfs/disk); the sandbox answers from memory'
              : '',
            p.note ?? '',
          ]
            .filter(Boolean)
            .join('; '),
        }),
      );
    }
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

// ——— a large module with a large code section ———

function uleb(value) {
  const out = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(value) {
  const out = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, next: at };
    shift += 7;
  }
}

/** One generated function body `(i32) -> i32`: arithmetic, branches and a local, ~1 KB. */
function functionBody(seed) {
  let x = seed * 2654435761 + 1;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x | 0;
  };
  const code = [0x01, 0x01, 0x7f]; // one local i32
  for (let g = 0; g < 24; g++) {
    code.push(0x20, 0x00, 0x41, ...sleb(rnd()), 0x6c, 0x41, ...sleb(rnd()), 0x73); // x*c ^ d
    code.push(0x22, 0x01, 0x41, ...sleb(rnd() & 31), 0x77, 0x20, 0x01, 0x6a); // tee, rotl, add
    code.push(0x21, 0x00, 0x20, 0x00, 0x41, 0x01, 0x71); // set x; x & 1
    code.push(0x04, 0x7f, 0x20, 0x00, 0x41, ...sleb(rnd()), 0x6a); // if (result i32) x + c
    code.push(0x05, 0x20, 0x01, 0x41, ...sleb(rnd()), 0x6b, 0x0b, 0x21, 0x00); // else y - c end; set x
  }
  code.push(0x20, 0x00, 0x0b);
  return [...uleb(code.length), ...code];
}

/**
 * `base` plus enough generated functions (never called, but compiled like any others)
 * to make the module `totalBytes` long or a little more: a large module whose size is
 * code, as real 20–80 MB modules are, not padding.
 */
export function codeHeavyModule(base, totalBytes) {
  const sections = [];
  let pos = 8;
  while (pos < base.length) {
    const id = base[pos];
    const size = readU32(base, pos + 1);
    sections.push({ id, body: base.subarray(size.next, size.next + size.value) });
    pos = size.next + size.value;
  }
  const find = (id) => sections.find((s) => s.id === id);
  const types = readU32(find(1).body, 0);
  const typeIndex = types.value;
  const bodies = [];
  let added = 0;
  for (let i = 0; added < totalBytes - base.length; i++) {
    const body = Uint8Array.from(functionBody(i + 1));
    bodies.push(body);
    added += body.length + 1;
  }
  const vector = (section, extra) => {
    const count = readU32(section.body, 0);
    return [uleb(count.value + extra.length), section.body.subarray(count.next), ...extra];
  };
  const replaced = new Map([
    [1, vector(find(1), [Uint8Array.of(0x60, 0x01, 0x7f, 0x01, 0x7f)])],
    [
      3,
      vector(
        find(3),
        bodies.map(() => Uint8Array.from(uleb(typeIndex))),
      ),
    ],
    [10, vector(find(10), bodies)],
  ]);
  const parts = [base.subarray(0, 8)];
  for (const s of sections) {
    const body = replaced.get(s.id) ?? [s.body];
    const length = body.reduce((n, p) => n + p.length, 0);
    parts.push(Uint8Array.of(s.id, ...uleb(length)), ...body.map((p) => Uint8Array.from(p)));
  }
  return Buffer.concat(parts);
}

/** Compile, first task and following tasks of one large module on a fresh sandbox. */
async function largeModuleRows(kind, bytes, repeats) {
  const mb = round(bytes.length / 1e6, 1);
  const spec = { args: ['0', '1000'], limits: { wallTimeMs: 120_000 } };
  const t0 = performance.now();
  await WebAssembly.compile(bytes);
  const engineCompileMs = performance.now() - t0;

  const sandbox = new NodeSandbox({ maxWorkers: 1 });
  try {
    const t1 = performance.now();
    const module = await sandbox.compile(bytes);
    const compileMs = performance.now() - t1;
    const first = await sandbox.run(module, spec);
    const firstTaskMs = performance.now() - t1;
    if (first.failure || new TextDecoder().decode(first.stdout) !== '168\n')
      throw new Error(`large module: wrong first result ${first.failure?.message ?? ''}`);
    const next = [];
    for (let i = 0; i < repeats * 4; i++) {
      const t = performance.now();
      const r = await sandbox.run(module, spec);
      next.push(performance.now() - t);
      if (r.failure) throw new Error(`large module: ${r.failure.message}`);
    }
    const t2 = performance.now();
    await sandbox.compile(bytes);
    const recompileMs = performance.now() - t2;
    const following = median(next);
    return [
      row({
        name: `large module ${mb} MB (${kind}): first task`,
        wasmMs: round(firstTaskMs, 1),
        compileMs: round(compileMs, 1),
        note: `compile = sha256 + grow probe + memory cap/import rewrite + engine compile (engine alone ${round(engineCompileMs, 0)} ms); first task = compile + instantiate + run (prime 0 1000) in a new worker`,
      }),
      row({
        name: `large module ${mb} MB (${kind}): following tasks`,
        wasmMs: round(following, 2),
        target: '≤ 10 ms',
        met: following <= 10 ? 'yes' : 'no',
        note: `instantiate + run, as a task sees it; median of ${next.length}, max ${round(Math.max(...next), 2)} ms; the agent keeps the compiled Module by hash; compile() again on the same bytes (sha256 + cache hit) ${round(recompileMs, 1)} ms`,
      }),
    ];
  } finally {
    await sandbox.close();
  }
}

async function largeModule(repeats) {
  const prime = readFileSync(join(REPO, 'examples/prime.wasm'));
  return [
    // Genuinely large code: ~52 000 generated functions, all compiled.
    ...(await largeModuleRows('code', codeHeavyModule(prime, 52 * MIB), repeats)),
    // The same base padded with a custom section: size without code, for comparison.
    ...(await largeModuleRows('padding', makeLargeModule(prime, 60 * MIB), repeats)),
  ];
}

// ——— trivial tasks ———

/** Before memory recycling and batching (commit c02537f), measured the same way on this machine. */
const TRIVIAL_BEFORE_MS = { 1: 0.45, 20000: 0.3 };

/** `count` trivial tasks with `inFlight` runs outstanding at any time: wall ms and CPU µs (all threads) per task. */
async function trivialLoop(sandbox, module, count, inFlight) {
  let started = 0;
  const cpu = process.cpuUsage();
  const t = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (started < count) {
        const arg = String(started++);
        const r = await sandbox.run(module, { args: [arg] });
        if (r.failure || new TextDecoder().decode(r.stdout) !== `${arg}\n`)
          throw new Error('trivial task gave a wrong result');
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { ms: (performance.now() - t) / count, cpuUs: (used.user + used.system) / count };
}

async function trivialTasks(repeats) {
  const sandbox = new NodeSandbox();
  try {
    const module = await sandbox.compile(readFileSync(join(REPO, 'examples/trivial.wasm')));
    await trivialLoop(sandbox, module, 3000, 3000);
    const rows = [];
    for (const [inFlight, count] of [
      [1, 2000],
      [2, 4000],
      [16, 10_000],
      [20_000, 20_000],
    ]) {
      const samples = [];
      for (let rep = 0; rep < repeats; rep++)
        samples.push(await trivialLoop(sandbox, module, count, inFlight));
      const ms = median(samples.map((x) => x.ms));
      const cpuUs = median(samples.map((x) => x.cpuUs));
      const before = TRIVIAL_BEFORE_MS[inFlight];
      rows.push(
        row({
          name:
            inFlight === 1
              ? 'trivial task, one at a time'
              : `trivial tasks, ${inFlight.toLocaleString('en')} in flight`,
          wasmMs: round(ms, 3),
          tasksPerSecond: Math.round(1000 / ms),
          note: [
            `examples/trivial.wasm via NodeSandbox.run, ${availableParallelism()} workers (default); ${count} tasks, wall time per task, median of ${repeats}`,
            `CPU ${round(cpuUs, 1)} µs per task (host + workers)`,
            before ? `before this work ~${before} ms` : '',
          ]
            .filter(Boolean)
            .join('; '),
        }),
      );
    }
    return rows;
  } finally {
    await sandbox.close();
  }
}

/** The bench part `runtime`: rows for the table. */
export async function runtime({ repeats = 5 } = {}) {
  return [
    ...(await trivialTasks(repeats)),
    ...(await comparePrograms(repeats)),
    ...(await largeModule(repeats)),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await runtime());
}
