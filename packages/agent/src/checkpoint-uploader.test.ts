import { type CheckpointRequest, NotAssignedError } from '@anygrid/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CheckpointUploader } from './checkpoint-uploader.js';
import { sha256Hex } from './content-hash.js';
import { TransientError } from './transient-error.js';

const logger = pino({ level: 'silent' });
const spec = { intervalMs: 1000, maxBytes: 1024 };
const bytes = (s: string) => new TextEncoder().encode(s);

/** Records what reached the coordinator; calls wait for `gate` when one is set. */
function recordingClient(answers: Array<'recorded' | 'stale' | Error> = []) {
  const blobs: string[] = [];
  const sent: CheckpointRequest[] = [];
  let gate: Promise<void> | undefined;
  return {
    blobs,
    sent,
    hold(until: Promise<void>) {
      gate = until;
    },
    async putBlob(hash: string, data: Uint8Array) {
      await gate;
      blobs.push(hash);
      return { hash, size: data.byteLength };
    },
    async checkpoint(body: CheckpointRequest) {
      const answer = answers.shift() ?? 'recorded';
      if (answer instanceof Error) throw answer;
      sent.push(body);
      return { status: answer };
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('CheckpointUploader', () => {
  it('uploads a new state as a blob, then names it with the fraction done; progress alone goes without', async () => {
    const client = recordingClient();
    const uploader = new CheckpointUploader({ client, hostId: 7, logger, spec });
    uploader.offer(3, { state: bytes('one'), fraction: 0.25 });
    await settle();
    uploader.offer(3, { state: null, fraction: 0.5 });
    await settle();
    const hash = sha256Hex(bytes('one'));
    expect(client.blobs).toEqual([hash]);
    expect(client.sent).toEqual([
      { hostId: 7, replicaId: 3, state: { hash, size: 3 }, fraction: 0.25 },
      { hostId: 7, replicaId: 3, state: null, fraction: 0.5 },
    ]);
  });

  it('sends only the newest of the checkpoints that arrive while one is on its way', async () => {
    const client = recordingClient();
    let open = () => {};
    client.hold(new Promise((r) => (open = r)));
    const uploader = new CheckpointUploader({ client, hostId: 1, logger, spec });
    uploader.offer(1, { state: bytes('a'), fraction: 0.1 });
    uploader.offer(1, { state: bytes('b'), fraction: 0.2 });
    uploader.offer(1, { state: bytes('c'), fraction: 0.3 });
    open();
    await settle();
    expect(client.sent.map((s) => s.fraction)).toEqual([0.1, 0.3]);
    expect(client.blobs).toEqual([sha256Hex(bytes('a')), sha256Hex(bytes('c'))]);
  });

  it('forgets a replica the coordinator calls stale, and one whose run ended', async () => {
    const client = recordingClient(['stale']);
    const uploader = new CheckpointUploader({ client, hostId: 1, logger, spec });
    uploader.offer(1, { state: bytes('a'), fraction: 0.1 });
    await settle();
    expect(uploader.active).toBe(0);
    uploader.offer(2, { state: null, fraction: 0.4 });
    uploader.done(2);
    await settle();
    expect(uploader.active).toBe(0);
  });

  it('forgets a replica the coordinator says is no longer this host’s', async () => {
    const client = recordingClient([new NotAssignedError([1])]);
    const uploader = new CheckpointUploader({ client, hostId: 1, logger, spec });
    uploader.offer(1, { state: bytes('a'), fraction: 0.1 });
    await settle();
    expect(uploader.active).toBe(0);
  });

  it('drops a checkpoint that could not be sent, and sends the next one whole', async () => {
    const client = recordingClient([new TransientError('ECONNREFUSED')]);
    const uploader = new CheckpointUploader({ client, hostId: 1, logger, spec });
    uploader.offer(1, { state: bytes('a'), fraction: 0.1 });
    await settle();
    expect(client.sent).toEqual([]);
    uploader.offer(1, { state: bytes('a'), fraction: 0.2 });
    await settle();
    // The state was never recorded: it goes again.
    expect(client.sent).toMatchObject([{ state: { hash: sha256Hex(bytes('a')) }, fraction: 0.2 }]);
  });
});
