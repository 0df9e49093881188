import { Accelerator } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmi, probeNvidiaGpus } from './gpu-probe.js';

const MIB = 1024 * 1024;

describe('parseNvidiaSmi', () => {
  it('reads one GPU per line, name and memory in MiB', () => {
    const out = 'NVIDIA GeForce RTX 3090, 24576\nNVIDIA A100-SXM4-80GB, 81920\n';
    expect(parseNvidiaSmi(out)).toEqual([
      { kind: 'cuda', name: 'NVIDIA GeForce RTX 3090', memoryBytes: 24576 * MIB },
      { kind: 'cuda', name: 'NVIDIA A100-SXM4-80GB', memoryBytes: 81920 * MIB },
    ]);
  });

  it('keeps a comma inside the name, and leaves out memory it cannot read', () => {
    const out = 'Tesla K80, rev 2, 11441\r\nNVIDIA T4, [N/A]\n\n';
    expect(parseNvidiaSmi(out)).toEqual([
      { kind: 'cuda', name: 'Tesla K80, rev 2', memoryBytes: 11441 * MIB },
      { kind: 'cuda', name: 'NVIDIA T4' },
    ]);
  });

  it('finds no GPU in an error message or empty output', () => {
    expect(parseNvidiaSmi('')).toEqual([]);
    expect(
      parseNvidiaSmi(
        'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n',
      ),
    ).toEqual([]);
  });

  it('gives what the registration schema accepts, sixteen at most', () => {
    const many = Array.from({ length: 20 }, (_, i) => `GPU ${i}, 1024`).join('\n');
    const gpus = parseNvidiaSmi(many);
    expect(gpus).toHaveLength(16);
    for (const gpu of gpus) expect(Accelerator.parse(gpu)).toEqual(gpu);
  });
});

describe('probeNvidiaGpus', () => {
  it('finds none, without throwing, where nvidia-smi is absent or fails', async () => {
    const absent = Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
    expect(await probeNvidiaGpus(() => Promise.reject(absent))).toEqual([]);
    // The real one: this machine has none, or lists what it has.
    const here = await probeNvidiaGpus();
    for (const gpu of here) expect(gpu.kind).toBe('cuda');
  });

  it('asks nvidia-smi for name and total memory as bare CSV', async () => {
    let asked: readonly string[] = [];
    const gpus = await probeNvidiaGpus(async (file, args) => {
      expect(file).toBe('nvidia-smi');
      asked = args;
      return 'NVIDIA L4, 23034\n';
    });
    expect(asked).toEqual(['--query-gpu=name,memory.total', '--format=csv,noheader,nounits']);
    expect(gpus).toEqual([{ kind: 'cuda', name: 'NVIDIA L4', memoryBytes: 23034 * MIB }]);
  });
});
