import { describe, expect, it } from 'vitest';
import { optionLikeArgsError } from './option-like-args.js';

const KNOWN = new Set(['--args', '--wait', '--name', '--json', '-h']);
const check = (line: string) => optionLikeArgsError(line.split(' '), KNOWN);

describe('optionLikeArgsError', () => {
  it('refuses a dash word as the first --args value, naming the -- form', () => {
    const error = check('m.wasm --args -voice kal -o out.wav');
    expect(error?.code).toBe('USAGE');
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain('"-voice"');
    expect(error?.message).toContain('anygrid submit MODULE [options] -- -voice');
    expect(error?.message).toContain('--args=-voice');
  });

  it('refuses an unknown dash word later in the --args list', () => {
    expect(check('m.wasm --args kal -o out.wav')?.message).toContain('"-o"');
  });

  it('refuses `--args --`, which commander would send as an argument', () => {
    expect(check('m.wasm --args -- -voice kal')?.message).toContain('`--args --`');
  });

  it('lets a known option end the --args list', () => {
    expect(check('m.wasm --args 0 100 --wait --name x')).toBeUndefined();
  });

  it('takes negative numbers as values, as commander does', () => {
    expect(check('m.wasm --args -5 -1.5e3 3')).toBeUndefined();
  });

  it('leaves --args=-x and everything after -- alone', () => {
    expect(check('m.wasm --args=-x --args=-y')).toBeUndefined();
    expect(check('m.wasm --wait -- -voice kal --args -z')).toBeUndefined();
    expect(check('m.wasm --args a -- -b')).toBeUndefined();
  });
});
