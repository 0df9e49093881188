import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helloModule } from '../test/guest-modules.js';
import { type RunResult, resolveLimits } from './run-spec.js';
import { createProgress } from './task-progress.js';
import {
  type CheckpointMessage,
  createRequestHandler,
  packResults,
  type ResultsMessage,
  type SentResult,
  taskOf,
  unpackResult,
} from './worker-protocol.js';

async function runBatch(withProgress: boolean, count: number): Promise<ResultsMessage[]> {
  const module = await WebAssembly.compile(helloModule('hi') as Uint8Array<ArrayBuffer>);
  const messages: ResultsMessage[] = [];
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const handle = createRequestHandler((message) => {
    if (message.type !== 'results') return;
    messages.push(message);
    received += message.results.length;
    if (received === count) done();
  });
  const progress = withProgress ? createProgress() : undefined;
  handle({ type: 'init', ...(progress ? { progress: progress.buffer } : {}) });
  const tasks = Array.from({ length: count }, (_, i) =>
    taskOf(i + 1, 7, i === 0 ? module : undefined, { args: [String(i)] }, resolveLimits({})),
  );
  handle({ type: 'run', tasks });
  await finished;
  if (progress) expect(progress.read().id).toBe(0);
  return messages;
}

describe('the worker side of the protocol', () => {
  it('packs small outputs into one buffer and sends large ones apart', () => {
    const large = new Uint8Array(100_000).fill(7);
    const held: Array<{ id: number; result: RunResult }> = [
      {
        id: 1,
        result: {
          exitCode: 0,
          stdout: Uint8Array.of(1, 2),
          stderr: Uint8Array.of(3),
          dirs: {},
          durationMs: 1,
        },
      },
      {
        id: 2,
        result: {
          exitCode: null,
          stdout: large,
          stderr: new Uint8Array(0),
          dirs: { '/': { 'a.txt': Uint8Array.of(9) } },
          failure: { code: 'trap' as const, message: 'x' },
          durationMs: 2,
        },
      },
    ];
    const { message, transfer } = packResults(held);
    expect(message.bytes).toEqual(Uint8Array.of(1, 2, 3));
    expect(transfer).toEqual([large.buffer]);
    const [a, b] = message.results.map((r) => unpackResult(message.bytes, r));
    expect(a).toEqual(held[0]?.result);
    expect(b).toEqual(held[1]?.result);
    // A small batch is read in place: the message's buffer is its own.
    expect(a?.stdout.buffer).toBe(message.bytes.buffer);
  });

  it('copies outputs out of a large batch, so a kept output does not keep the batch', () => {
    const bytes = new Uint8Array(200_000).fill(5);
    const sent = {
      id: 1,
      exitCode: 0,
      durationMs: 1,
      stdoutAt: 10,
      stdoutLength: 3,
      stderrAt: 0,
      stderrLength: 0,
    };
    const result = unpackResult(bytes, sent);
    expect(result.stdout).toEqual(Uint8Array.of(5, 5, 5));
    expect(result.stdout.buffer).not.toBe(bytes.buffer);
  });

  it('sends no listing of unchanged directories; the host rebuilds it from the spec', () => {
    const result: RunResult = {
      exitCode: 0,
      stdout: new Uint8Array(0),
      stderr: new Uint8Array(0),
      dirs: { '/': {}, '/data': {} },
      durationMs: 1,
    };
    const { message } = packResults([{ id: 1, result }]);
    const [sent] = message.results;
    expect(sent?.dirs).toBeUndefined();
    const spec = { dirs: { '/': {}, '/data': { 'in.txt': Uint8Array.of(1) } } };
    expect(unpackResult(message.bytes, sent as SentResult, spec)).toEqual(result);
  });

  it('runs a batch in order, reusing a module sent once, and reports every result', async () => {
    const messages = await runBatch(true, 20);
    const ids = messages.flatMap((m) => m.results.map((r) => r.id));
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const m of messages)
      for (const r of m.results) {
        expect(r.failure).toBeUndefined();
        expect(new TextDecoder().decode(unpackResult(m.bytes, r).stdout)).toBe('hi');
      }
  });

  it('reports each result at once without a progress cell', async () => {
    const messages = await runBatch(false, 5);
    expect(messages.map((m) => m.results.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('answers a task whose module it does not know with a trap', async () => {
    const messages: ResultsMessage[] = [];
    const handle = createRequestHandler((message) => {
      if (message.type === 'results') messages.push(message);
    });
    handle({ type: 'init' });
    handle({ type: 'run', tasks: [taskOf(1, 99, undefined, {}, resolveLimits({}))] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(messages[0]?.results[0]?.failure?.code).toBe('trap');
  });

  it("posts a watched run's checkpoints, named by its task, before its result", async () => {
    const wasm = readFileSync(join(import.meta.dirname, '../../../examples/resumable.wasm'));
    const module = await WebAssembly.compile(wasm);
    const messages: Array<ResultsMessage | CheckpointMessage> = [];
    const handle = createRequestHandler((message) => messages.push(message));
    handle({ type: 'init' });
    const spec = {
      args: ['120', '5'],
      dirs: { '/': {} },
      checkpoint: { intervalMs: 0, maxBytes: 1024 },
    };
    handle({ type: 'run', tasks: [taskOf(4, 1, module, spec, resolveLimits({}))] });
    for (let i = 0; i < 200 && !messages.some((m) => m.type === 'results'); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const last = messages[messages.length - 1];
    expect(last?.type).toBe('results');
    const checkpoints = messages.filter((m): m is CheckpointMessage => m.type === 'checkpoint');
    expect(checkpoints.length).toBeGreaterThan(5);
    expect(checkpoints.every((m) => m.id === 4)).toBe(true);
    expect(checkpoints.some((m) => m.state?.byteLength === 40)).toBe(true);
  });
});
