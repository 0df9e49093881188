import type { Assignment, ModuleSignature } from '@anygrid/protocol';
import { createSigningKey, signModuleHash } from '@anygrid/protocol/node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ModuleGate } from './module-gate.js';
import { PublisherPins } from './publisher-pins.js';

const HASH = 'ab'.repeat(32);
const logger = pino({ level: 'silent' });

function assignment(jobId: number, signature?: ModuleSignature): Assignment {
  return {
    replicaId: jobId * 10,
    taskId: jobId,
    jobId,
    module: { hash: HASH, size: 10 },
    argv0: 'm.wasm',
    args: [],
    env: {},
    stdin: null,
    files: {},
    limits: { memoryBytes: 1 << 24, wallTimeMs: 1000, outputBytes: 1000 },
    deadline: 0,
    seed: 1,
    ...(signature ? { signature } : {}),
  };
}

async function gate(requireSigned: boolean, trustedKeys: string[] = []) {
  const pins = await PublisherPins.load();
  return {
    pins,
    gate: new ModuleGate(
      { trustedKeys: new Set(trustedKeys), requireSigned, pinOnFirstUse: true },
      pins,
      logger,
    ),
  };
}

describe('ModuleGate', () => {
  it('lets unsigned jobs through without a verdict when signatures are not required', async () => {
    const { gate: open } = await gate(false);
    expect(open.known(assignment(1))).toBeNull();
    const { gate: strict } = await gate(true);
    expect(strict.known(assignment(1))).toBeUndefined();
    expect(strict.check(assignment(1))).toMatchObject({ code: 'module_signature_refused' });
    expect(strict.known(assignment(1))).toMatchObject({ code: 'module_signature_refused' });
  });

  it('verifies once per job and remembers the verdict; another signature under the same job id is decided anew', async () => {
    const key = createSigningKey();
    const { gate: g } = await gate(true, [key.publicKey]);
    const good = assignment(1, signModuleHash(HASH, key.privateKeyPem));
    expect(g.known(good)).toBeUndefined();
    expect(g.check(good)).toBeNull();
    expect(g.known(good)).toBeNull();
    const forged = assignment(1, signModuleHash('cd'.repeat(32), key.privateKeyPem));
    expect(g.known(forged)).toBeUndefined();
    expect(g.check(forged)).toMatchObject({
      code: 'module_signature_refused',
      message: expect.stringMatching(/does not verify/),
    });
  });

  it('pins a new publisher and refuses a second key for it in another job', async () => {
    const first = createSigningKey();
    const second = createSigningKey();
    const { gate: g, pins } = await gate(true);
    expect(g.check(assignment(1, signModuleHash(HASH, first.privateKeyPem, 'acme')))).toBeNull();
    expect(pins.get('acme')).toBe(first.publicKey);
    expect(
      g.check(assignment(2, signModuleHash(HASH, second.privateKeyPem, 'acme'))),
    ).toMatchObject({ code: 'module_signature_refused', message: expect.stringMatching(/pinned/) });
  });
});
