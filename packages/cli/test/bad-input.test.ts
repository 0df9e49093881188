import { describe, expect, it } from 'vitest';
import { type Answer, client, example, sha256, useCoordinator } from './harness.js';
import { inspectStore } from './store-inspect.js';

/** Every answer must be a 4xx carrying a stable code and a human message. */
function expectClientError(a: Answer, status: number, code: string): void {
  expect(a.status, JSON.stringify(a.body)).toBe(status);
  const err = (a.body as { error: { code: string; message: string } }).error;
  expect(err.code).toBe(code);
  expect(err.message.length).toBeGreaterThan(10);
}

describe('bad input gets a clear 4xx and changes nothing', () => {
  const ctx = useCoordinator();

  it('rejects malformed, mistyped, oversize, unauthorized and foreign requests', async () => {
    const { coord, admin } = ctx;
    const alice = client(coord.url, await admin.token('requester', 'alice'));
    const bob = client(coord.url, await admin.token('requester', 'bob'));
    const p1 = client(coord.url, await admin.token('provider', 'p1'));
    const p2 = client(coord.url, await admin.token('provider', 'p2'));
    const module = await alice.upload(example('prime.wasm'));
    const job = await alice.post('/v1/jobs', {
      module,
      tasks: [{ args: ['0', '100'] }],
      policy: { redundancy: 1 },
    });
    expect(job.status).toBe(201);
    const host = (b: ReturnType<typeof client>, name: string) =>
      b.post('/v1/hosts', { name, platform: 'linux-x64', cores: 2, memoryBytes: 1e9, slots: 1 });
    const h1 = (await host(p1, 'h1')).body.hostId as number;
    const h1b = (await host(p1, 'h1b')).body.hostId as number;
    const h2 = (await host(p2, 'h2')).body.hostId as number;
    const work = await p1.post('/v1/work', { hostId: h1, max: 5 });
    expect(work.body.assignments).toHaveLength(1);
    const replicaId = work.body.assignments[0].replicaId as number;
    const out = Buffer.from('25\n');
    const goodReport = {
      replicaId,
      status: 'success',
      exitCode: 0,
      stdout: { hash: sha256(out), size: 3, data: out.toString('base64') },
      stderr: null,
      durationMs: 1,
    };

    // Malformed JSON, wrong types, unknown fields.
    expectClientError(
      await alice.request('POST', '/v1/jobs', '{"module": ', {
        'content-type': 'application/json',
      }),
      400,
      'MALFORMED_JSON',
    );
    expectClientError(
      await alice.request('POST', '/v1/jobs', '', { 'content-type': 'application/json' }),
      400,
      'MALFORMED_JSON',
    );
    const mistyped = await alice.post('/v1/jobs', { module, tasks: 'lots' });
    expectClientError(mistyped, 400, 'INVALID_REQUEST');
    expect(mistyped.body.error.details.issues[0].path).toBe('tasks');
    const unknown = await alice.post('/v1/jobs', { module, tasks: [{ args: [] }], colour: 'blue' });
    expectClientError(unknown, 400, 'INVALID_REQUEST');
    expect(unknown.body.error.details.issues[0].code).toBe('unrecognized_keys');
    expectClientError(
      await alice.post('/v1/jobs', {
        module,
        tasks: [{ args: [], files: { '../../etc/passwd': module } }],
      }),
      400,
      'INVALID_REQUEST',
    );
    expectClientError(
      await alice.post('/v1/jobs', { module, tasks: [{}], policy: { redundancy: 2, quorum: 3 } }),
      400,
      'INVALID_REQUEST',
    );
    // Known answers must name tasks of the job, one answer a task.
    const spot = (knownAnswers: unknown[]) =>
      alice.post('/v1/jobs', {
        module,
        tasks: [{}, {}],
        policy: { validation: { mode: 'spot-check', rate: 0, knownAnswers } },
      });
    const beyond = await spot([{ index: 2, stdout: '4\n' }]);
    expectClientError(beyond, 400, 'INVALID_REQUEST');
    expect(beyond.body.error.message).toMatch(/task 2, but the job has 2 tasks/);
    const twice = await spot([
      { index: 1, stdout: 'a' },
      { index: 1, stdout: 'b' },
    ]);
    expectClientError(twice, 400, 'INVALID_REQUEST');
    expect(twice.body.error.message).toMatch(/second for task 1/);
    expectClientError(
      await alice.post('/v1/jobs', { module: { hash: 'f'.repeat(64), size: 10 }, tasks: [{}] }),
      422,
      'BLOB_MISSING',
    );
    expectClientError(
      await alice.request('POST', '/v1/jobs', 'module=x', { 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectClientError(await alice.get('/v1/jobs/abc'), 400, 'INVALID_REQUEST');
    expectClientError(await alice.get('/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');

    // Oversize bodies.
    const huge = {
      name: 'x'.repeat(2 * 1024 * 1024),
      platform: 'linux-x64',
      cores: 1,
      memoryBytes: 1,
      slots: 1,
    };
    expectClientError(await p1.post('/v1/hosts', huge), 413, 'PAYLOAD_TOO_LARGE');

    // Missing, unknown and wrong-role tokens.
    expectClientError(await client(coord.url).get('/v1/jobs'), 401, 'UNAUTHENTICATED');
    expectClientError(
      await client(coord.url, 'ag_req_not-a-real-token').get('/v1/jobs'),
      401,
      'UNAUTHENTICATED',
    );
    expectClientError(await p1.get(`/v1/jobs/${job.body.id}`), 403, 'FORBIDDEN');
    expectClientError(await alice.post('/v1/work', { hostId: h1, max: 1 }), 403, 'FORBIDDEN');
    expectClientError(await alice.post('/v1/tokens', { role: 'admin' }), 403, 'FORBIDDEN');
    expectClientError(await p1.post('/v1/work', { hostId: 424_242, max: 1 }), 404, 'HOST_UNKNOWN');

    // Another account's job looks absent.
    expectClientError(await bob.get(`/v1/jobs/${job.body.id}`), 404, 'NOT_FOUND');
    expectClientError(await bob.post(`/v1/jobs/${job.body.id}/cancel`), 404, 'NOT_FOUND');
    expectClientError(await bob.get(`/v1/jobs/${job.body.id}/results`), 404, 'NOT_FOUND');
    expectClientError(await bob.get(`/v1/jobs/${job.body.id}/events`), 404, 'NOT_FOUND');

    // Reports for replicas not assigned to the caller, or through someone else's host.
    expectClientError(
      await p2.post('/v1/reports', { hostId: h2, reports: [goodReport] }),
      403,
      'NOT_ASSIGNED',
    );
    expectClientError(
      await p1.post('/v1/reports', { hostId: h1b, reports: [goodReport] }),
      403,
      'NOT_ASSIGNED',
    );
    expectClientError(
      await p2.post('/v1/reports', { hostId: h1, reports: [goodReport] }),
      403,
      'FORBIDDEN',
    );
    expectClientError(
      await p1.post('/v1/reports', {
        hostId: h1,
        reports: [{ ...goodReport, replicaId: 999_999 }],
      }),
      403,
      'NOT_ASSIGNED',
    );
    const lying = { ...goodReport, stdout: { ...goodReport.stdout, hash: sha256('26\n') } };
    expectClientError(
      await p1.post('/v1/reports', { hostId: h1, reports: [lying] }),
      400,
      'INVALID_REQUEST',
    );
    const mixed = await p1.post('/v1/reports', {
      hostId: h1,
      reports: [goodReport, { ...goodReport, replicaId: replicaId + 1000 }],
    });
    expectClientError(mixed, 403, 'NOT_ASSIGNED');
    expect(mixed.body.error.details.replicaIds).toEqual([replicaId + 1000]);

    // Uploads whose bytes do not match their address.
    expectClientError(
      await alice.request('PUT', `/v1/blobs/${'0'.repeat(64)}`, new Uint8Array([1, 2, 3])),
      400,
      'HASH_MISMATCH',
    );
    expectClientError(
      await alice.request('PUT', '/v1/blobs/not-a-hash', new Uint8Array([1])),
      400,
      'INVALID_REQUEST',
    );

    // Nothing above changed the store: one job, one task, its one replica still running, no results.
    const store = inspectStore(coord.dataDir);
    expect(store.query('SELECT id FROM jobs')).toHaveLength(1);
    expect(store.query('SELECT id FROM tasks')).toHaveLength(1);
    expect(store.replicaStates(job.body.id)).toEqual({ in_progress: 1 });
    expect(store.query('SELECT id FROM tasks WHERE settled_seq IS NOT NULL')).toHaveLength(0);
    // admin, the harness's provider and requester, alice, bob, p1, p2
    expect(store.query('SELECT hash FROM tokens')).toHaveLength(7);
    store.close();

    // The honest report still goes through, and is idempotent.
    const ok = await p1.post('/v1/reports', { hostId: h1, reports: [goodReport] });
    expect(ok.body.results).toEqual([{ replicaId, status: 'accepted' }]);
    const again = await p1.post('/v1/reports', { hostId: h1, reports: [goodReport] });
    expect(again.body.results).toEqual([{ replicaId, status: 'duplicate' }]);
    const done = await alice.get(`/v1/jobs/${job.body.id}`);
    expect(done.body.progress.valid).toBe(1);
    expect(coord.output()).not.toMatch(/unhandled error/);
  });

  it('takes a job in parts, refusing gaps, overruns and foreign parts, and counting a part sent twice once', async () => {
    const { coord, admin } = ctx;
    const carol = client(coord.url, await admin.token('requester', 'carol'));
    const dave = client(coord.url, await admin.token('requester', 'dave'));
    const module = await carol.upload(example('trivial.wasm'));
    const task = (i: number) => ({ args: [String(i)] });

    expectClientError(
      await carol.post('/v1/jobs', { module, tasks: [task(0), task(1)], totalTasks: 1 }),
      400,
      'INVALID_REQUEST',
    );
    const job = await carol.post('/v1/jobs', { module, tasks: [task(0)], totalTasks: 3 });
    expect(job.status).toBe(201);
    expect(job.body.progress.total).toBe(3);
    const part = (c: ReturnType<typeof client>, body: unknown) =>
      c.post(`/v1/jobs/${job.body.id}/tasks`, body);

    const gap = await part(carol, { from: 2, tasks: [task(2)] });
    expectClientError(gap, 409, 'CONFLICT');
    expect(gap.body.error.details.expectedFrom).toBe(1);
    expectClientError(
      await part(carol, { from: 1, tasks: [task(1), task(2), task(3)] }),
      400,
      'INVALID_REQUEST',
    );
    expectClientError(await part(carol, { from: 'one', tasks: [task(1)] }), 400, 'INVALID_REQUEST');
    expectClientError(
      await part(carol, { from: 1, tasks: [task(1)], colour: 'blue' }),
      400,
      'INVALID_REQUEST',
    );
    expectClientError(
      await part(carol, {
        from: 1,
        tasks: [{ args: [], stdin: { hash: 'e'.repeat(64), size: 3 } }],
      }),
      422,
      'BLOB_MISSING',
    );
    expectClientError(await part(dave, { from: 1, tasks: [task(1)] }), 404, 'NOT_FOUND');
    const store = inspectStore(coord.dataDir);
    const stored = () => store.query(`SELECT idx FROM tasks WHERE job_id = ${job.body.id}`).length;
    expect(stored()).toBe(1);

    // The next part, then the same part again (as after a lost answer): stored once.
    expect((await part(carol, { from: 1, tasks: [task(1)] })).status).toBe(200);
    expect((await part(carol, { from: 1, tasks: [task(1)] })).status).toBe(200);
    expect(stored()).toBe(2);
    const last = await part(carol, { from: 2, tasks: [task(2)] });
    expect(last.status).toBe(200);
    expect(last.body.progress.total).toBe(3);
    expect(stored()).toBe(3);
    // Complete now: one more is past its total.
    expectClientError(await part(carol, { from: 3, tasks: [task(3)] }), 400, 'INVALID_REQUEST');
    expect(stored()).toBe(3);
    store.close();
    expect(coord.output()).not.toMatch(/unhandled error/);
  });
});
