import { INLINE_OUTPUT_BYTES } from '@anygrid/protocol';
import { describe, expect, it } from 'vitest';
import { client, example, sha256, useCoordinator } from './harness.js';

describe('a provider sending a large output inline', () => {
  const ctx = useCoordinator();

  it('is refused with the field named, loses nothing, and the same output as a blob is accepted', async () => {
    const { coord, admin, requester } = ctx;
    const provider = client(coord.url, await admin.token('provider', 'bulky'));
    const module = await requester.upload(example('echo.wasm'));
    const job = await requester.post('/v1/jobs', { module, tasks: [{}, {}] });
    expect(job.status).toBe(201);
    const host = await provider.post('/v1/hosts', {
      name: 'bulky',
      platform: 'linux-x64',
      cores: 1,
      memoryBytes: 1e9,
      slots: 1,
    });
    const hostId = host.body.hostId as number;
    const work = await provider.post('/v1/work', { hostId, max: 2 });
    const [replicaId, other] = work.body.assignments.map((a: { replicaId: number }) => a.replicaId);

    const report = (bytes: Buffer, inline: boolean, id = replicaId) => ({
      hostId,
      reports: [
        {
          replicaId: id,
          status: 'success',
          exitCode: 0,
          stdout: {
            hash: sha256(bytes),
            size: bytes.byteLength,
            ...(inline ? { data: bytes.toString('base64') } : {}),
          },
          stderr: null,
          durationMs: 1,
        },
      ],
    });
    for (const size of [INLINE_OUTPUT_BYTES + 1, 8 * 1024 * 1024]) {
      const refused = await provider.post('/v1/reports', report(Buffer.alloc(size, 'x'), true));
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('INVALID_REQUEST');
      expect(refused.body.error.message).toContain('reports.0.stdout');
    }
    const progress = await requester.get(`/v1/jobs/${job.body.id}`);
    expect(progress.body.progress.pending).toBe(2);

    // The largest inline output is fine; a bigger one goes as a blob, uploaded first.
    const atBound = Buffer.alloc(INLINE_OUTPUT_BYTES, 'y');
    const inline = await provider.post('/v1/reports', report(atBound, true, other));
    expect(inline.body.results).toEqual([{ replicaId: other, status: 'accepted' }]);
    const big = Buffer.alloc(8 * 1024 * 1024, 'x');
    expect((await provider.upload(big)).size).toBe(big.byteLength);
    const accepted = await provider.post('/v1/reports', report(big, false));
    expect(accepted.body.results).toEqual([{ replicaId, status: 'accepted' }]);
    const results = await requester.get(`/v1/jobs/${job.body.id}/results?inline=false`);
    const stdouts = results.body.results.map((r: { stdout: unknown }) => r.stdout);
    expect(stdouts).toEqual(
      expect.arrayContaining([
        { hash: sha256(big), size: big.byteLength },
        { hash: sha256(atBound), size: INLINE_OUTPUT_BYTES },
      ]),
    );
  });
});
