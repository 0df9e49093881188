import { describe, expect, it } from 'vitest';
import { RunBatch } from './run-batch.js';

describe('RunBatch', () => {
  it('aborts at once when its only run is stopped', () => {
    const batch = new RunBatch();
    batch.add();
    batch.stop();
    expect(batch.signal.aborted).toBe(true);
  });

  it('lets a stopped run finish while a batch-mate is still wanted', () => {
    const batch = new RunBatch();
    batch.add();
    batch.add();
    batch.stop();
    expect(batch.signal.aborted).toBe(false);
    batch.ended(false);
    // The stopped run is still going and nobody wants it: now it is ended.
    expect(batch.signal.aborted).toBe(true);
  });

  it('never aborts when every run ended wanted', () => {
    const batch = new RunBatch();
    for (let i = 0; i < 20; i++) batch.add();
    for (let i = 0; i < 20; i++) batch.ended(false);
    expect(batch.signal.aborted).toBe(false);
  });

  it('takes a listener per run without a leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const batch = new RunBatch();
    for (let i = 0; i < 50; i++) batch.signal.addEventListener('abort', () => {});
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
  });
});
