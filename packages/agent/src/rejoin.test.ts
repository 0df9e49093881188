import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MAX_HOLDING, rejoiner } from './rejoin.js';

const log = pino({ level: 'silent' });

describe('rejoiner', () => {
  it('registers again naming what the host holds, once more for moves during a rejoin', async () => {
    const calls: number[][] = [];
    let release: () => void = () => {};
    let held = [1, 2];
    const events: string[] = [];
    const moved = rejoiner(log, new AbortController().signal, {
      held: () => held,
      rejoin: (holding) => {
        calls.push(holding);
        return new Promise<void>((r) => {
          release = r;
        });
      },
      pause: async () => {
        events.push('pause');
      },
      resume: () => events.push('resume'),
    });
    moved();
    moved();
    moved();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual([[1, 2]]);
    held = [2, 3];
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual([
      [1, 2],
      [2, 3],
    ]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toHaveLength(2);
    // Pulling paused around each registration, so no pull's work is left out of `holding`.
    expect(events).toEqual(['pause', 'resume', 'pause', 'resume']);
  });

  it('does not rejoin when it holds more than a registration can name', async () => {
    const calls: number[][] = [];
    const many = Array.from({ length: MAX_HOLDING + 1 }, (_, i) => i + 1);
    const moved = rejoiner(log, new AbortController().signal, {
      held: () => many,
      rejoin: async (holding) => {
        calls.push(holding);
      },
    });
    moved();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual([]);
  });
});
