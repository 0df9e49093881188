import { InvalidRequestError, NotAssignedError, type ReportBatch } from '@anygrid/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { reportFailure, reportRun } from './output-encoding.js';
import { ReportFlusher } from './report-flusher.js';
import { TransientError } from './transient-error.js';

const logger = pino({ level: 'silent' });
const retryBackoff = { initialMs: 1, maxMs: 5, factor: 2, jitter: 0 };
const failed = (id: number) => reportFailure(id, 'trap', 'boom', 1);

/** Records what reached the coordinator; each call may first meet a scripted failure. */
function fakeClient(failures: Array<(batch: ReportBatch) => Error | undefined> = []) {
  const delivered: number[] = [];
  const batches: number[][] = [];
  const uploads: string[] = [];
  return {
    delivered,
    batches,
    uploads,
    async report(batch: ReportBatch) {
      const ids = batch.reports.map((r) => r.replicaId);
      const error = failures.shift()?.(batch);
      if (error) throw error;
      batches.push(ids);
      delivered.push(...ids);
      return { results: ids.map((replicaId) => ({ replicaId, status: 'accepted' as const })) };
    },
    async putBlob(hash: string, bytes: Uint8Array) {
      uploads.push(hash);
      return { hash, size: bytes.byteLength };
    },
  };
}

describe('ReportFlusher', () => {
  it('sends reports that finish together in one batch', async () => {
    const client = fakeClient();
    const flusher = new ReportFlusher({ client, hostId: 1, logger, lingerMs: 20 });
    for (let id = 1; id <= 5; id++) flusher.add(failed(id));
    expect(await flusher.flush(1000)).toBe(true);
    expect(client.batches).toEqual([[1, 2, 3, 4, 5]]);
    await flusher.close();
  });

  it('keeps reports through an outage and delivers them when the coordinator is back', async () => {
    const down = () => new TransientError('ECONNREFUSED');
    const client = fakeClient([down, down, down]);
    const flusher = new ReportFlusher({ client, hostId: 1, logger, retryBackoff });
    flusher.add(failed(1));
    flusher.add(failed(2));
    expect(await flusher.flush(2000)).toBe(true);
    expect(client.delivered.sort()).toEqual([1, 2]);
    await flusher.close();
  });

  it('drops only the replicas the coordinator says are not ours, and resends the rest', async () => {
    const client = fakeClient([() => new NotAssignedError([2])]);
    const flusher = new ReportFlusher({ client, hostId: 1, logger, retryBackoff, lingerMs: 10 });
    for (let id = 1; id <= 3; id++) flusher.add(failed(id));
    expect(await flusher.flush(2000)).toBe(true);
    expect(client.delivered).toEqual([1, 3]);
    await flusher.close();
  });

  it('isolates and drops one report the coordinator refuses, delivering the others', async () => {
    const refuseSeven = (batch: ReportBatch) =>
      batch.reports.some((r) => r.replicaId === 7) ? new InvalidRequestError('bad') : undefined;
    const client = fakeClient(Array.from({ length: 20 }, () => refuseSeven));
    const flusher = new ReportFlusher({ client, hostId: 1, logger, retryBackoff, lingerMs: 10 });
    for (let id = 1; id <= 8; id++) flusher.add(failed(id));
    expect(await flusher.flush(2000)).toBe(true);
    expect(client.delivered.sort()).toEqual([1, 2, 3, 4, 5, 6, 8]);
    await flusher.close();
  });

  it('uploads large outputs before the report that names them, once', async () => {
    const big = new Uint8Array(100_000).fill(3);
    const outgoing = reportRun(4, {
      exitCode: 0,
      stdout: big,
      stderr: new Uint8Array(0),
      dirs: { '/': { 'copy.bin': big } },
      durationMs: 1,
    });
    const client = fakeClient([() => new TransientError('503')]);
    const flusher = new ReportFlusher({ client, hostId: 1, logger, retryBackoff });
    flusher.add(outgoing);
    expect(await flusher.flush(2000)).toBe(true);
    expect(client.uploads).toEqual([outgoing.report.stdout?.hash]);
    expect(client.delivered).toEqual([4]);
    await flusher.close();
  });

  it('says so when reports could not be delivered in time', async () => {
    const client = fakeClient(Array.from({ length: 1000 }, () => () => new TransientError('down')));
    const flusher = new ReportFlusher({ client, hostId: 1, logger, retryBackoff });
    flusher.add(failed(1));
    expect(await flusher.flush(50)).toBe(false);
    expect(flusher.pendingIds()).toEqual([1]);
    await flusher.close();
  });
});
