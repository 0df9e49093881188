/**
 * Signed modules with real processes (issue 10, acceptance 5): the CLI makes keys and
 * signatures, the coordinator refuses a signature that does not verify, and the agent —
 * trusting no coordinator — refuses a module whose bytes do not match its hash, a
 * signature that does not verify (put into the coordinator's store behind its back) and
 * a key it does not trust, each with its own code, without the refusal counting as an
 * error: the task goes to another host and its host keeps getting work. A publisher is
 * pinned to its first key; another key for it is refused.
 */

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModuleSignature } from '@anygrid/protocol';
import { createSigningKey, signModuleHash, verifyModuleSignature } from '@anygrid/protocol/node';
import { Anygrid } from '@anygrid/sdk';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  client,
  countPrimes,
  EXAMPLES,
  example,
  runCli,
  type Spawned,
  sha256,
  spawnNode,
  startAgent,
  stopProcess,
  tempDir,
  useRestartableCoordinator,
  waitFor,
} from './harness.js';
import { allResults, decodeStdout, waitForJob } from './job-flow.js';
import { inspectStore } from './store-inspect.js';

type Client = ReturnType<typeof client>;

/** `anygrid provide` with the trust options under test. */
function provide(url: string, token: string, name: string, trust: readonly string[]): Spawned {
  return startAgent(url, token, { slots: 1, name, extraArgs: ['--json', ...trust] });
}

/** Submits a one-task prime job (or of `module`) with `signature`; answers the coordinator's reply. */
async function submit(
  c: Client,
  signature: ModuleSignature | undefined,
  module = example('prime.wasm'),
) {
  const ref = await c.upload(module);
  return c.post('/v1/jobs', {
    module: ref,
    ...(signature ? { signature } : {}),
    // One error counted against the task would fail it.
    policy: { maxErrors: 0 },
    tasks: [{ args: ['0', '1000'] }],
  });
}

async function submitted(c: Client, signature: ModuleSignature, module?: Buffer) {
  const r = await submit(c, signature, module);
  if (r.status !== 201) throw new Error(`submit failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as number;
}

interface ReplicaRow {
  state: string;
  host_id: number | null;
  error: string | null;
}

describe('signed modules', () => {
  const ctx = useRestartableCoordinator();
  let requester: Client;
  let requesterToken: string;
  let providerToken: string;
  const primeHash = sha256(example('prime.wasm'));
  const trusted = createSigningKey();
  const stranger = createSigningKey();

  beforeAll(async () => {
    const admin = client(ctx.coord.url, ctx.coord.adminToken);
    providerToken = await admin.token('provider');
    requesterToken = await admin.token('requester');
    requester = client(ctx.coord.url, requesterToken);
  });

  const replicas = (jobId: number) => {
    const store = inspectStore(ctx.dataDir);
    try {
      return store.query<ReplicaRow>(
        'SELECT state, host_id, error FROM replicas WHERE job_id = ? ORDER BY id',
        jobId,
      );
    } finally {
      store.close();
    }
  };
  const hostId = (name: string) => {
    const store = inspectStore(ctx.dataDir);
    try {
      return store.query<{ id: number }>('SELECT id FROM hosts WHERE name = ?', name)[0]?.id;
    } finally {
      store.close();
    }
  };
  const refusedBy = (jobId: number) =>
    waitFor(`a refusal of job ${jobId}`, async () => {
      const row = replicas(jobId).find((r) => r.state === 'refused');
      return row && { host: row.host_id, ...(JSON.parse(row.error ?? '{}') as object) };
    });

  it('CLI: keys create, sign and submit --signature / --sign; a signature of another module is SIGNATURE_INVALID', async () => {
    const dir = tempDir();
    const url = ['--url', ctx.coord.url, '--token', requesterToken];
    const keys = await runCli(['keys', 'create', '--out', dir]);
    expect(keys.code).toBe(0);
    const publicKey = keys.stdout.trim();
    expect(publicKey).toMatch(/^ed25519:[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(join(dir, 'signing.key.pub'), 'utf8').trim()).toBe(publicKey);
    expect(statSync(join(dir, 'signing.key')).mode & 0o777).toBe(0o600);
    const again = await runCli(['keys', 'create', '--out', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);

    const key = join(dir, 'signing.key');
    const sig = join(dir, 'prime.wasm.sig');
    const prime = join(EXAMPLES, 'prime.wasm');
    const signed = await runCli(['sign', prime, '--key', key, '--publisher', 'acme', '--out', sig]);
    expect(signed.code).toBe(0);
    const written = JSON.parse(readFileSync(sig, 'utf8')) as ModuleSignature;
    expect(written).toMatchObject({ publicKey, publisher: 'acme' });

    const agent = provide(ctx.coord.url, providerToken, 'cli-agent', [
      '--trust-key',
      publicKey,
      '--require-signed',
    ]);
    const byFile = await runCli([
      'submit',
      prime,
      ...url,
      '--signature',
      sig,
      '--wait',
      '--json',
      '--',
      '0',
      '1000',
    ]);
    expect(byFile.code).toBe(0);
    const job = JSON.parse(byFile.stdout.trim().split('\n').pop() as string);
    expect(job).toMatchObject({ state: 'completed', progress: { valid: 1 }, signature: written });
    const byKey = await runCli([
      'submit',
      prime,
      ...url,
      '--sign',
      key,
      '--wait',
      '--json',
      '--',
      '0',
      '1000',
    ]);
    expect(byKey.code).toBe(0);
    expect(JSON.parse(byKey.stdout.trim().split('\n').pop() as string)).toMatchObject({
      state: 'completed',
      progress: { valid: 1 },
      signature: { publicKey },
    });

    // The SDK signs while submitting: the job carries a signature that verifies.
    const grid = new Anygrid({ url: ctx.coord.url, token: requesterToken });
    const bySdk = await grid.submit({
      module: prime,
      tasks: [{ args: [0, 1000] }],
      signWith: { privateKeyPem: readFileSync(key, 'utf8'), publisher: 'acme' },
    });
    const sdkView = await bySdk.wait();
    expect(sdkView).toMatchObject({ state: 'completed', progress: { valid: 1 } });
    expect(sdkView.signature).toMatchObject({ publicKey, publisher: 'acme' });
    expect(verifyModuleSignature(primeHash, sdkView.signature as ModuleSignature)).toBe(true);

    // The signature of prime.wasm sent with echo.wasm: refused at submit, before any task exists.
    const echo = join(EXAMPLES, 'echo.wasm');
    const wrong = await runCli(['submit', echo, ...url, '--signature', sig, '--', 'x']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/SIGNATURE_INVALID/);
    const direct = await submit(requester, written, example('echo.wasm'));
    expect(direct.status).toBe(422);
    expect(direct.body.error.code).toBe('SIGNATURE_INVALID');
    await stopProcess(agent.proc);
  });

  it('an agent refuses a changed module, a signature that does not verify and an untrusted key, each with its code, and nothing counts against it', async () => {
    // Signed by a key the agent does not trust (the signature itself is valid).
    const untrusted = await submitted(requester, signModuleHash(primeHash, stranger.privateKeyPem));
    // Signed correctly, then the coordinator's store gets another signature behind its back.
    const forged = await submitted(requester, signModuleHash(primeHash, trusted.privateKeyPem));
    const other = signModuleHash(sha256('other module'), trusted.privateKeyPem);
    // Signed correctly, then a byte of the coordinator's copy of the module changes.
    const echo = example('echo.wasm');
    const echoHash = sha256(echo);
    const changed = await submitted(
      requester,
      signModuleHash(echoHash, trusted.privateKeyPem),
      echo,
    );
    await ctx.restart(async () => {
      const db = new Database(join(ctx.dataDir, 'anygrid.db'));
      db.prepare('UPDATE jobs SET signature = ? WHERE id = ?').run(JSON.stringify(other), forged);
      db.close();
      const blob = join(ctx.dataDir, 'blobs', echoHash.slice(0, 2), echoHash);
      const bytes = readFileSync(blob);
      const at = bytes.length >> 1;
      bytes[at] = (bytes[at] as number) ^ 0x01;
      writeFileSync(blob, bytes);
    });
    requester = client(ctx.coord.url, requesterToken);

    const strict = provide(ctx.coord.url, providerToken, 'strict', [
      '--trust-key',
      trusted.publicKey,
      '--require-signed',
    ]);
    const strictId = await waitFor('the strict agent', async () => hostId('strict'));
    expect(await refusedBy(changed)).toMatchObject({
      host: strictId,
      code: 'module_hash_mismatch',
    });
    expect(await refusedBy(forged)).toMatchObject({
      host: strictId,
      code: 'module_signature_refused',
      message: expect.stringMatching(/does not verify/),
    });
    expect(await refusedBy(untrusted)).toMatchObject({
      host: strictId,
      code: 'module_signature_refused',
      message: expect.stringMatching(/does not trust/),
    });

    for (const jobId of [changed, forged, untrusted]) {
      // No error counted: with maxErrors 0 one would have failed the task. The replica
      // went back for another host, never the refusing one.
      const job = (await requester.get(`/v1/jobs/${jobId}`)).body;
      expect(job.progress).toMatchObject({ pending: 1, failed: 0 });
      const rows = replicas(jobId);
      expect(rows.map((r) => r.state)).toEqual(['refused', 'unsent']);
    }
    const store = inspectStore(ctx.dataDir);
    const errored = store.query(
      `SELECT id FROM replicas WHERE host_id = ? AND state IN ('errored', 'timed_out')`,
      strictId,
    );
    store.close();
    expect(errored).toEqual([]);

    // The refusing host still gets work: a job signed by its trusted key runs there.
    const good = await submitted(requester, signModuleHash(primeHash, trusted.privateKeyPem));
    expect((await waitForJob(requester, good)).progress).toMatchObject({ valid: 1, failed: 0 });
    expect(replicas(good)).toMatchObject([{ state: 'reported', host_id: strictId }]);

    // Another host that trusts the stranger's key takes the refused replica and runs it.
    const lenient = provide(ctx.coord.url, providerToken, 'lenient', [
      '--trust-key',
      stranger.publicKey,
    ]);
    const final = await waitForJob(requester, untrusted);
    expect(final.progress).toMatchObject({ valid: 1, failed: 0 });
    const [result] = await allResults(requester, untrusted);
    expect(decodeStdout(result)).toBe(`${countPrimes(0, 1000)}\n`);
    expect(replicas(untrusted).map((r) => [r.state, r.host_id])).toEqual([
      ['refused', strictId],
      ['reported', hostId('lenient')],
    ]);
    // The lenient host is refused the changed module and the forged signature too.
    expect(
      (
        await waitFor('the lenient refusals', async () => {
          const rows = [...replicas(changed), ...replicas(forged)].filter(
            (r) => r.state === 'refused',
          );
          return rows.length === 4 && rows;
        })
      ).map((r) => JSON.parse(r.error ?? '{}').code),
    ).toEqual([
      'module_hash_mismatch',
      'module_hash_mismatch',
      'module_signature_refused',
      'module_signature_refused',
    ]);
    for (const jobId of [changed, forged]) await requester.post(`/v1/jobs/${jobId}/cancel`);
    await Promise.all([stopProcess(strict.proc), stopProcess(lenient.proc)]);
  });

  it('pins a publisher to the first key it signs with and refuses another key for it', async () => {
    const cache = tempDir();
    const tofu = spawnNode([
      CLI,
      'provide',
      '--coordinator',
      ctx.coord.url,
      '--token',
      providerToken,
      '--slots',
      '1',
      '--name',
      'tofu',
      '--cache',
      cache,
      '--require-signed',
    ]);
    const first = await submitted(
      requester,
      signModuleHash(primeHash, trusted.privateKeyPem, 'acme'),
    );
    expect((await waitForJob(requester, first)).progress).toMatchObject({ valid: 1 });
    expect(JSON.parse(readFileSync(join(cache, 'publisher-pins.json'), 'utf8'))).toEqual({
      acme: trusted.publicKey,
    });
    const impostor = await submitted(
      requester,
      signModuleHash(primeHash, stranger.privateKeyPem, 'acme'),
    );
    expect(await refusedBy(impostor)).toMatchObject({
      host: hostId('tofu'),
      code: 'module_signature_refused',
      message: expect.stringMatching(/acme is pinned to key/),
    });
    // Another publisher name is a first use: pinned to the stranger's key, and it runs.
    const newcomer = await submitted(
      requester,
      signModuleHash(primeHash, stranger.privateKeyPem, 'newcomer'),
    );
    expect((await waitForJob(requester, newcomer)).progress).toMatchObject({ valid: 1 });
    await requester.post(`/v1/jobs/${impostor}/cancel`);
    await stopProcess(tofu.proc);
  });
});
