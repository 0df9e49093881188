/**
 * @module
 * The assignments this host holds — buffered or running — kept on disk until each one
 * ends (its result is stored, it is cancelled, handed back or skipped), so an agent that
 * restarts while the coordinator is away still runs the work the coordinator wrote to
 * it. Each work answer is one batch file (`batch-files.ts`); every assignment read back
 * is checked against the protocol's schema. Writing is not awaited before a run starts:
 * a run's result is stored after its assignment's file was begun, and a result on disk
 * supersedes its assignment when both are read back.
 */

import { join } from 'node:path';
import { Assignment } from '@anygrid/protocol';
import type { Logger } from 'pino';
import { BatchFiles } from './batch-files.js';

/** Assignments on disk while held. */
export class HeldAssignments {
  private constructor(
    private readonly files: BatchFiles<Assignment>,
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
    return { held: new HeldAssignments(files, logger), recovered: records };
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

  /** Resolves once every write begun so far has ended. */
  idle(): Promise<void> {
    return this.files.idle();
  }
}
