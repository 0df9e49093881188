/**
 * @module
 * Finished results kept on the provider's disk until the coordinator acknowledges them,
 * so that neither an unreachable coordinator nor a restart of the agent loses work done.
 * A result counts as done (goes to the report flusher) only once it is on disk: the
 * reports finished in one tick are written as one batch file (`batch-files.ts`), and the
 * output blobs too large to travel inline go first, each to `outputs/<sha256>`, since the
 * report names them and they are uploaded only when it is sent.
 *
 * On start the store reads back every result not yet acknowledged, with its outputs
 * checked against their hashes; a result whose output is missing or altered is dropped
 * with a warning (the coordinator reissues its replica), never sent with other bytes.
 */

import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Report } from '@anygrid/protocol';
import type { Logger } from 'pino';
import { BatchFiles, writeAtomically } from './batch-files.js';
import { sha256Hex } from './content-hash.js';
import type { OutgoingReport } from './output-encoding.js';

/** A result as stored: the report, and the hashes of its outputs kept beside it. */
interface StoredResult {
  readonly report: Report;
  readonly uploads: readonly string[];
}

const HASH = /^[0-9a-f]{64}$/;

export interface ResultStoreOptions {
  /** The store's directory (`results/` and `outputs/` go inside). */
  readonly dir: string;
  readonly logger: Logger;
  /** Takes results once they are on disk (or could not be written: then in memory only). */
  readonly onPersisted: (reports: OutgoingReport[]) => void;
}

/** Results on disk until acknowledged. */
export class ResultStore {
  private pending: OutgoingReport[] = [];
  private writing: Promise<void> | undefined;
  /** The batch `writing` is putting on disk. */
  private persisting: readonly OutgoingReport[] = [];
  /** Output hash → live results naming it. */
  private readonly outputRefs = new Map<string, number>();
  private readonly uploadsOf = new Map<number, readonly string[]>();
  private readonly outputs: string;

  private constructor(
    private readonly files: BatchFiles<StoredResult>,
    private readonly options: ResultStoreOptions,
  ) {
    this.outputs = join(options.dir, 'outputs');
  }

  /** Opens the store and reads back the results not yet acknowledged, outputs checked. */
  static async open(
    options: ResultStoreOptions,
  ): Promise<{ store: ResultStore; recovered: OutgoingReport[] }> {
    const { files, records } = await BatchFiles.open<StoredResult>({
      dir: join(options.dir, 'results'),
      logger: options.logger,
      parse: parseStored,
      idOf: (r) => r.report.replicaId,
      what: 'results',
    });
    const store = new ResultStore(files, options);
    await mkdir(store.outputs, { recursive: true, mode: 0o700 });
    const recovered: OutgoingReport[] = [];
    for (const record of records) {
      const report = await store.restore(record);
      if (report) recovered.push(report);
    }
    await store.removeUnreferencedOutputs();
    return { store, recovered };
  }

  /** Replica ids of results written and not yet acknowledged. */
  ids(): number[] {
    return this.files.ids();
  }

  /**
   * Replica ids of every result taken and not yet acknowledged, those still on their way
   * to disk included: the host still holds them (its heartbeat names them).
   */
  heldIds(): number[] {
    const ids = this.files.ids();
    for (const r of this.pending) ids.push(r.replicaId);
    for (const r of this.persisting) ids.push(r.replicaId);
    return ids;
  }

  /** Stores a finished result; `onPersisted` gets it once it is on disk. */
  add(report: OutgoingReport): void {
    this.pending.push(report);
    // Results finishing in this tick travel in one file.
    if (this.pending.length === 1 && this.writing === undefined) queueMicrotask(() => this.drain());
  }

  /** The coordinator acknowledged these (or refused them for good): forget them. */
  settle(replicaIds: readonly number[]): void {
    for (const id of replicaIds) {
      const uploads = this.uploadsOf.get(id);
      if (uploads === undefined) continue;
      this.uploadsOf.delete(id);
      for (const hash of uploads) this.release(hash);
    }
    this.files.settle(replicaIds);
  }

  /** Resolves once every result added so far is written (or failed to be). */
  async idle(): Promise<void> {
    while (this.writing !== undefined || this.pending.length > 0) {
      if (this.writing === undefined) this.drain();
      await this.writing;
    }
    await this.files.idle();
  }

  private drain(): void {
    if (this.writing !== undefined || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.persisting = batch;
    this.writing = this.persist(batch).finally(() => {
      this.writing = undefined;
      this.persisting = [];
      this.options.onPersisted(batch);
      if (this.pending.length > 0) this.drain();
    });
  }

  private async persist(batch: readonly OutgoingReport[]): Promise<void> {
    try {
      for (const r of batch) {
        for (const [hash, bytes] of r.uploads) await this.keepOutput(hash, bytes);
        this.uploadsOf.set(r.replicaId, [...r.uploads.keys()]);
      }
      await this.files.write(
        batch.map((r) => ({ report: r.report, uploads: [...r.uploads.keys()] })),
      );
    } catch (error) {
      // Still sent from memory: only a restart before it is acknowledged would lose it.
      this.options.logger.error(
        { err: error, count: batch.length },
        'could not save finished results to disk; they are kept in memory only',
      );
    }
  }

  private async keepOutput(hash: string, bytes: Uint8Array): Promise<void> {
    const refs = this.outputRefs.get(hash) ?? 0;
    this.outputRefs.set(hash, refs + 1);
    if (refs === 0) await writeAtomically(this.outputs, hash, bytes);
  }

  private release(hash: string): void {
    const refs = (this.outputRefs.get(hash) ?? 1) - 1;
    if (refs > 0) {
      this.outputRefs.set(hash, refs);
      return;
    }
    this.outputRefs.delete(hash);
    void unlink(join(this.outputs, hash)).catch(() => {});
  }

  /** A stored result ready to send again, or undefined (and settled) when an output is bad. */
  private async restore(record: StoredResult): Promise<OutgoingReport | undefined> {
    const replicaId = record.report.replicaId;
    const uploads = new Map<string, Uint8Array>();
    for (const hash of record.uploads) {
      const bytes = await readFile(join(this.outputs, hash)).catch(() => undefined);
      if (bytes === undefined || sha256Hex(bytes) !== hash) {
        this.options.logger.warn(
          { replicaId, output: hash },
          'a saved result lost an output; dropping it (the coordinator will reissue the replica)',
        );
        this.files.settle([replicaId]);
        return undefined;
      }
      uploads.set(hash, bytes);
    }
    for (const hash of uploads.keys()) {
      this.outputRefs.set(hash, (this.outputRefs.get(hash) ?? 0) + 1);
    }
    this.uploadsOf.set(replicaId, [...uploads.keys()]);
    return { replicaId, report: record.report, uploads };
  }

  private async removeUnreferencedOutputs(): Promise<void> {
    for (const name of await readdir(this.outputs)) {
      if (!this.outputRefs.has(name)) await unlink(join(this.outputs, name)).catch(() => {});
    }
  }
}

function parseStored(value: unknown): StoredResult | undefined {
  const record = value as Partial<StoredResult> | null;
  if (typeof record !== 'object' || record === null) return undefined;
  const report = Report.safeParse(record.report);
  if (!report.success) return undefined;
  const uploads = record.uploads;
  if (!Array.isArray(uploads) || !uploads.every((h) => typeof h === 'string' && HASH.test(h))) {
    return undefined;
  }
  return { report: report.data, uploads };
}
