/**
 * @module
 * Whether a native variant's bytes are an executable for its platform: a 64-bit
 * little-endian ELF file of the platform's machine. Checked at submit, so a requester's
 * wrong upload (a wasm module, a script, an arm64 build marked x64) is refused with a
 * sentence instead of failing on every provider that runs it, against their records.
 */

/** Bytes of an ELF header that tell its class, byte order and machine. */
export const ELF_HEADER_BYTES = 20;

/** ELF `e_machine` of each native platform. */
const MACHINE: Readonly<Record<string, number>> = {
  'linux-x64': 0x3e,
  'linux-arm64': 0xb7,
};

const NAMES: Readonly<Record<number, string>> = { 62: 'x86-64', 183: 'AArch64' };

/** Null when `header` (the file's first bytes) starts an executable for `platform`; else why not. */
export function nativeExecutableProblem(header: Uint8Array, platform: string): string | null {
  if (header[0] === 0x00 && header[1] === 0x61 && header[2] === 0x73 && header[3] === 0x6d) {
    return 'it is a WebAssembly module; give it as the job’s module, and a native build as the variant';
  }
  if (header[0] !== 0x7f || header[1] !== 0x45 || header[2] !== 0x4c || header[3] !== 0x46) {
    return 'it is not an ELF executable';
  }
  if (header[4] !== 2 || header[5] !== 1) return 'it is not a 64-bit little-endian ELF file';
  const machine = (header[18] ?? 0) | ((header[19] ?? 0) << 8);
  const wanted = MACHINE[platform];
  if (wanted === undefined) return `no native platform ${platform} is known`;
  if (machine !== wanted) {
    const found = NAMES[machine] ?? `machine 0x${machine.toString(16)}`;
    return `it is built for ${found}, not ${NAMES[wanted]}`;
  }
  return null;
}
