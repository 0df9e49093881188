/**
 * @module
 * The assignments this host holds — buffered or running — kept on disk until each one
 * ends (its result is stored, it is cancelled, handed back or skipped), so an agent that
 * restarts while the coordinator is away still runs the work the coordinator wrote to
 * it. Each work answer is one batch file (`batch-files.ts`); every assignment read back
 * is checked against the protocol's schema. Writing is not awaited before a run starts:
 * a run's result is stored after its assignment's file was begun, and a result on disk
 * supersedes its assignment when both are read back.
 *
 * Leases the heartbeat extends are kept beside them (`leases.json`, rewritten whole at
 * each heartbeat), so a restarted agent judges a deadline by the lease the coordinator
 * last granted, not by the one it was first given.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Assignment } from '@anygrid/protocol';
import type { Logger } from 'pino';
import { BatchFiles, writeAtomically } from './batch-files.js';

/** File of the deadlines heartbeats extended, by replica id. */
const LEASES = 'leases.json';

/** Assignments on disk while held. */
export class HeldAssignments {
  private readonly leases = new Map<number, number>();
  private savingLeases: Promise<void> = Promise.resolve();

  private constructor(
    private readonly files: BatchFiles<Assignment>,
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Opens the store in `dir` and reads back the assignments held when the agent stopped. */
  static async open(
    dir: string,
    logger: Logger,
  ): Promise<{ held: HeldAssignments; recovered: Assignment[] }> {
    const { files, records } = await BatchFiles.open<Assignment>({
      dir: join(dir, 'assignments'),
      logger,
      parse: (value) => {
        const parsed = Assignment.safeParse(value);
        return parsed.success ? parsed.data : undefined;
      },
      idOf: (a) => a.replicaId,
      what: 'assignments',
    });
    const held = new HeldAssignments(files, join(dir, 'assignments'), logger);
    const leases = await held.readLeases();
    for (const a of records) {
      const deadline = leases.get(a.replicaId);
      if (deadline !== undefined && deadline > a.deadline) {
        a.deadline = deadline;
        held.leases.set(a.replicaId, deadline);
      }
    }
    return { held, recovered: records };
  }

  /** Replica ids held on disk. */
  ids(): number[] {
    return this.files.ids();
  }

  /** Keeps newly assigned work on disk; a failure is logged (the work runs anyway). */
  add(assignments: readonly Assignment[]): void {
    if (assignments.length === 0) return;
    this.files.write(assignments).catch((error: unknown) => {
      this.logger.warn(
        { err: error, count: assignments.length },
        'could not save assignments to disk; a restart would not run them',
      );
    });
  }

  /** These replicas are no longer held (finished, cancelled, handed back or skipped). */
  release(replicaIds: readonly number[]): void {
    this.files.settle(replicaIds);
  }

  /** New deadlines of held replicas, from a heartbeat: kept for a restart. */
  extend(extended: readonly { replicaId: number; deadline: number }[]): void {
    for (const e of this.leases.keys()) if (!this.files.has(e)) this.leases.delete(e);
    let changed = false;
    for (const { replicaId, deadline } of extended) {
      if (!this.files.has(replicaId)) continue;
      this.leases.set(replicaId, deadline);
      changed = true;
    }
    if (!changed) return;
    const body = JSON.stringify(Object.fromEntries(this.leases));
    this.savingLeases = this.savingLeases
      .then(() => writeAtomically(this.dir, LEASES, body))
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'could not save extended leases');
      });
  }

  /** Resolves once every write begun so far has ended. */
  async idle(): Promise<void> {
    await this.files.idle();
    await this.savingLeases;
  }

  private async readLeases(): Promise<Map<number, number>> {
    const leases = new Map<number, number>();
    let body: unknown;
    try {
      body = JSON.parse(await readFile(join(this.dir, LEASES), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return leases;
      this.logger.warn({ err: error }, 'saved leases are unreadable; using assigned deadlines');
      return leases;
    }
    if (typeof body !== 'object' || body === null) return leases;
    for (const [id, deadline] of Object.entries(body)) {
      if (Number.isSafeInteger(Number(id)) && Number.isSafeInteger(deadline)) {
        leases.set(Number(id), deadline as number);
      }
    }
    return leases;
  }
}
