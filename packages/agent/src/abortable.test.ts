import { describe, expect, it } from 'vitest';
import { abortable, isAbort, sleep, within } from './abortable.js';

describe('sleep', () => {
  it('wakes at once with the reason when its signal aborts', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses to start on an aborted signal', async () => {
    await expect(sleep(1, AbortSignal.abort())).rejects.toSatisfy(isAbort);
  });
});

describe('abortable', () => {
  it('gives up on the promise when the signal aborts, and passes its result otherwise', async () => {
    const controller = new AbortController();
    const never = new Promise<number>(() => {});
    const waiting = abortable(never, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toSatisfy(isAbort);
    expect(await abortable(Promise.resolve(7), new AbortController().signal)).toBe(7);
  });
});

describe('within', () => {
  it('says whether the promise settled in time, rejections included', async () => {
    expect(await within(Promise.resolve(), 1000)).toBe(true);
    expect(await within(Promise.reject(new Error('x')), 1000)).toBe(true);
    expect(await within(new Promise(() => {}), 10)).toBe(false);
    expect(await within(undefined, 0)).toBe(true);
  });
});
