import { describe, expect, it } from 'vitest';
import { nativeExecutableProblem } from './native-executable.js';

const elf = (machine: number) => {
  const h = new Uint8Array(20);
  h.set([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
  h[18] = machine & 0xff;
  h[19] = machine >> 8;
  return h;
};

describe('nativeExecutableProblem', () => {
  it('accepts an ELF executable of the platform', () => {
    expect(nativeExecutableProblem(elf(0x3e), 'linux-x64')).toBeNull();
    expect(nativeExecutableProblem(elf(0xb7), 'linux-arm64')).toBeNull();
  });

  it('says what a wrong upload is', () => {
    expect(nativeExecutableProblem(elf(0xb7), 'linux-x64')).toMatch(/AArch64, not x86-64/);
    const wasm = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expect(nativeExecutableProblem(wasm, 'linux-x64')).toMatch(/WebAssembly module/);
    const script = new TextEncoder().encode('#!/bin/sh\necho hi\n');
    expect(nativeExecutableProblem(script, 'linux-x64')).toMatch(/not an ELF/);
    const elf32 = elf(0x3e);
    elf32[4] = 1;
    expect(nativeExecutableProblem(elf32, 'linux-x64')).toMatch(/64-bit/);
  });
});
