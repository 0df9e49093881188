import { describe, expect, it } from 'vitest';
import {
  chooseVariant,
  mayRunVariant,
  pinnedChoice,
  type VariantHost,
  type VariantOption,
  type VariantRuns,
} from './variant-choice.js';

const wasm: VariantOption = { key: 'wasm32-wasi', platform: 'wasm32-wasi' };
const x64: VariantOption = { key: 'linux-x64', platform: 'linux-x64' };
const arm: VariantOption = { key: 'linux-arm64', platform: 'linux-arm64' };
const cuda: VariantOption = { key: 'linux-x64+cuda', platform: 'linux-x64', gpu: 'cuda' };
const big: VariantOption = {
  key: 'linux-x64',
  platform: 'linux-x64',
  requirements: { minMemoryBytes: 8 * 2 ** 30, minCores: 4 },
};
const options = [wasm, x64, arm];

const nativeX64: VariantHost = {
  platform: 'linux-x64',
  native: true,
  cores: 8,
  memoryBytes: 2 ** 34,
};
const plainX64: VariantHost = { ...nativeX64, native: false };
const none = new Map<string, VariantRuns>();

describe('variant choice', () => {
  it('runs the wasm module on a host without the native runtime', () => {
    expect(chooseVariant(options, plainX64, none).key).toBe('wasm32-wasi');
  });

  it('prefers an unmeasured native variant of the host’s platform', () => {
    expect(chooseVariant(options, nativeX64, none).key).toBe('linux-x64');
    const armHost = { ...nativeX64, platform: 'linux-arm64' };
    expect(chooseVariant(options, armHost, none).key).toBe('linux-arm64');
    const otherHost = { ...nativeX64, platform: 'darwin-arm64' };
    expect(chooseVariant(options, otherHost, none).key).toBe('wasm32-wasi');
  });

  it('picks the least measured mean, the wasm module included', () => {
    const fast = new Map([
      ['wasm32-wasi', { ms: 3000, n: 3 }],
      ['linux-x64', { ms: 1000, n: 2 }],
    ]);
    expect(chooseVariant(options, nativeX64, fast).key).toBe('linux-x64');
    const slow = new Map([
      ['wasm32-wasi', { ms: 300, n: 3 }],
      ['linux-x64', { ms: 1000, n: 2 }],
    ]);
    expect(chooseVariant(options, nativeX64, slow).key).toBe('wasm32-wasi');
    const wasmUnmeasured = new Map([['linux-x64', { ms: 1000, n: 2 }]]);
    expect(chooseVariant(options, nativeX64, wasmUnmeasured).key).toBe('linux-x64');
  });

  it('sends a GPU variant only to a host with that accelerator', () => {
    expect(mayRunVariant(cuda, nativeX64)).toBe(false);
    expect(mayRunVariant(cuda, { ...nativeX64, accelerators: ['cuda'] })).toBe(true);
    expect(chooseVariant([wasm, cuda], nativeX64, none).key).toBe('wasm32-wasi');
  });

  it('holds a variant’s requirements against the host', () => {
    expect(mayRunVariant(big, nativeX64)).toBe(true);
    expect(mayRunVariant(big, { ...nativeX64, cores: 2 })).toBe(false);
    expect(mayRunVariant(big, { ...nativeX64, memoryBytes: 2 ** 30 })).toBe(false);
  });

  it('keeps a task on the variant its other replicas run', () => {
    expect(pinnedChoice(options, nativeX64, none, 'wasm32-wasi')?.key).toBe('wasm32-wasi');
    expect(pinnedChoice(options, nativeX64, none, 'linux-x64')?.key).toBe('linux-x64');
    expect(pinnedChoice(options, plainX64, none, 'linux-x64')).toBeNull();
    expect(pinnedChoice(options, plainX64, none, undefined)?.key).toBe('wasm32-wasi');
  });
});
