import { describe, expect, it } from 'vitest';
import { spreadArgsValues } from './option-like-args.js';

const KNOWN = new Set(['--args', '--wait', '--name', '--json', '-h']);
const spread = (line: string) => spreadArgsValues(line.split(' '), KNOWN);

describe('spreadArgsValues', () => {
  it('takes dash words after --args as the task arguments, one --args= each', () => {
    expect(spread('m.wasm --args -voice kal -o out.wav')).toEqual([
      'm.wasm',
      '--args=-voice',
      '--args=kal',
      '--args=-o',
      '--args=out.wav',
    ]);
  });

  it("ends the list at submit's own options, in both spellings, and at --", () => {
    expect(spread('m.wasm --args 0 -x --wait --name=n')).toEqual([
      'm.wasm',
      '--args=0',
      '--args=-x',
      '--wait',
      '--name=n',
    ]);
    expect(spread('m.wasm --args a -- -b --wait')).toEqual([
      'm.wasm',
      '--args=a',
      '--',
      '-b',
      '--wait',
    ]);
  });

  it('leaves everything after -- and --args=-x alone, and joins lists given twice', () => {
    expect(spread('m.wasm --wait -- --args -z')).toEqual([
      'm.wasm',
      '--wait',
      '--',
      '--args',
      '-z',
    ]);
    expect(spread('m.wasm --args=-x --args -y')).toEqual(['m.wasm', '--args=-x', '--args=-y']);
  });

  it('refuses --args followed by --, by an option of its own or by nothing, naming the -- form', () => {
    for (const line of ['m.wasm --args -- -voice', 'm.wasm --args --wait', 'm.wasm --args']) {
      expect(() => spread(line), line).toThrow(/anygrid submit MODULE \[options\] -- ARGS/);
    }
  });
});
