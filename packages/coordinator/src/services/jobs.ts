/**
 * @module
 * The requester's side: accept a job (after checking every blob it names is stored and
 * that its module signature, if any, verifies), look jobs up with ownership enforced,
 * cancel, and page through results.
 */

import {
  type AddTasksRequest,
  BlobMissingError,
  type BlobRef,
  ConflictError,
  type CreateJobRequest,
  checkTaskGraph,
  InvalidRequestError,
  type JobDiagnostics,
  type JobPolicy,
  type JobView,
  NotFoundError,
  SignatureInvalidError,
  type TaskResult,
  type TaskSpec,
  type TaskView,
  taskGraphError,
} from '@anygrid/protocol';
import { verifyModuleSignature } from '@anygrid/protocol/node';
import type { BlobStore } from '../blobs/blob-store.js';
import {
  ELF_HEADER_BYTES,
  hostsKeptApart,
  nativeExecutableProblem,
  resolvePolicy,
  shapeOf,
} from '../policy/index.js';
import type { EncodedResult, Principal, Store } from '../store/store.js';
import type { Diagnostics } from './diagnostics.js';
import type { Scheduler } from './scheduler.js';

/** Tasks written per transaction when a job is created or a part added. */
export const CREATE_CHUNK = 10_000;

/**
 * The first chunk is small: written in ~2 ms, it lets providers start (and learn how
 * long the tasks take) while the rest is written. Measured against a first chunk of
 * 10 k, A/B interleaved: ~7 % more tasks/s end to end for a 100 k-task job.
 */
const FIRST_CHUNK = 250;

/** How long a job created with `totalTasks` waits for its next part before it is cancelled. */
export const PARTS_WINDOW_MS = 10 * 60_000;

export class Jobs {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly scheduler: Scheduler,
    /** How long a job created with `totalTasks` waits for its next part. */
    private readonly partsWindowMs: number = PARTS_WINDOW_MS,
    /** Words the warning when no connected host could run a job with requirements. */
    private readonly diagnostics?: Diagnostics,
  ) {}

  /**
   * Stores a job and publishes its tasks. A large job goes in by parts (`FIRST_CHUNK`,
   * then `CREATE_CHUNK` tasks), each its own transaction and published at once: providers
   * start on the first part while the rest is written, and other requests are served in
   * between. Until the last task is in, the job cannot complete. Should the coordinator
   * die while writing the request's tasks, the job was never acknowledged: it is
   * cancelled at the next start (`cancelIncomplete`). With `totalTasks`, the requester
   * sends the rest itself (`addTasks`) within the parts window of each part.
   */
  async create(principal: Principal, req: CreateJobRequest): Promise<JobView> {
    const policy = resolvePolicy(req.policy);
    // A requester's mistake is told at once; agents verify again, trusting no coordinator.
    if (req.signature && !verifyModuleSignature(req.module.hash, req.signature)) {
      throw new SignatureInvalidError(req.module.hash, req.signature.publicKey);
    }
    checkGraph(req.tasks, 0);
    checkKnownAnswers(policy, req.totalTasks ?? req.tasks.length);
    checkVariantSignatures(req);
    const validator = policy.compare.kind === 'validator' ? [policy.compare.module] : [];
    for (const v of req.variants ?? []) validator.push(v.module);
    // Held until the job is stored, so the janitor cannot delete a blob checked here.
    const wanted = blobsOf(req.module, req.tasks, validator);
    const release = this.blobs.hold(wanted.keys());
    try {
      await this.requireBlobs(wanted);
      await this.checkNativeExecutables(req);
      const { tasks } = req;
      // A request's dependencies may point anywhere in it: its tasks go in together.
      const first = tasks.some(hasParents) ? tasks.length : FIRST_CHUNK;
      const total = req.totalTasks ?? tasks.length;
      const { job, changes } = await this.store.createJob(
        principal.accountId,
        {
          ...req,
          policy,
          tasks: tasks.slice(0, first),
          tasksTotal: total,
          ...(total > tasks.length ? { partsUntil: Date.now() + this.partsWindowMs } : {}),
        },
        Date.now(),
      );
      // Before its replicas are queued: no host may take one it could not run.
      this.scheduler.placement.noteJob(job.id, {
        ...(req.requirements ? { requirements: req.requirements } : {}),
        deadlineMs: policy.deadlineMs,
        ...(policy.estimatedOps === undefined ? {} : { estimatedOps: policy.estimatedOps }),
        ...(policy.pricing === undefined
          ? {}
          : {
              pricing: policy.pricing,
              shape: shapeOf(policy.limits.memoryBytes, req.requirements?.accelerators),
            }),
      });
      this.scheduler.publish(changes);
      if (tasks.length > first) {
        await this.writeInChunks(job.id, first, tasks.slice(first), total > tasks.length);
      }
      const done = tasks.length > first ? await this.get(principal, job.id) : job;
      return this.withWarnings(principal, done, req);
    } finally {
      release();
    }
  }

  /** The job's view with the warnings of its submission, if any. */
  private async withWarnings(
    principal: Principal,
    job: JobView,
    req: CreateJobRequest,
  ): Promise<JobView> {
    // Only a job that could be kept from the hosts at hand: by its requirements, its size,
    // its price ceiling, a quorum that needs hosts of several accounts, or, free, by hosts
    // that all ask a price (a volunteer pool reads nothing for its free jobs).
    if (
      !this.diagnostics ||
      (req.requirements === undefined &&
        req.policy.estimatedOps === undefined &&
        req.policy.pricing === undefined &&
        !this.scheduler.placement.anyPriced() &&
        hostsKeptApart(job.policy).hosts < 2)
    ) {
      return job;
    }
    const warnings = await this.diagnostics.submitWarnings(principal, job.id);
    return warnings.length === 0 ? job : { ...job, warnings };
  }

  /** Stores the next part of a job created with `totalTasks`; a part sent again adds nothing. */
  async addTasks(principal: Principal, jobId: number, req: AddTasksRequest): Promise<JobView> {
    const job = await this.get(principal, jobId);
    checkGraph(req.tasks, req.from);
    const wanted = blobsOf(job.module, req.tasks);
    const release = this.blobs.hold(wanted.keys());
    try {
      await this.requireBlobs(wanted);
      await this.writeInChunks(jobId, req.from, req.tasks, true);
    } finally {
      release();
    }
    return this.get(principal, jobId);
  }

  /**
   * Writes tasks `from…` a chunk per transaction, letting other requests in between.
   * `byRequester`: the requester sends any rest, so the job waits for it a while longer.
   */
  private async writeInChunks(
    jobId: number,
    from: number,
    tasks: CreateJobRequest['tasks'],
    byRequester: boolean,
  ): Promise<void> {
    // A request's dependencies may point anywhere in it: its tasks go in together.
    const chunk = tasks.some(hasParents) ? tasks.length : CREATE_CHUNK;
    for (let i = 0; i < tasks.length; i += chunk) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const { changes } = await this.store.addTasks(
        jobId,
        from + i,
        tasks.slice(i, i + chunk),
        Date.now(),
        byRequester ? Date.now() + this.partsWindowMs : undefined,
      );
      this.scheduler.publish(changes);
    }
  }

  /** Cancels jobs whose creation a crash cut short; returns their ids. */
  async cancelIncomplete(): Promise<number[]> {
    return this.cancelAll(await this.store.incompleteJobs());
  }

  /** Cancels jobs whose requester stopped sending the missing parts; returns their ids. */
  async cancelExpiredParts(now: number): Promise<number[]> {
    return this.cancelAll(await this.store.expiredParts(now));
  }

  private async cancelAll(ids: readonly number[]): Promise<number[]> {
    for (const id of ids) {
      const changes = await this.store.cancelJob(id, Date.now());
      this.scheduler.dropJob(id);
      this.scheduler.publish(changes);
    }
    return [...ids];
  }

  /** Throws BlobMissingError unless every blob is stored with its size. */
  /** Each native variant must be an executable of its platform (policy/native-executable.ts). */
  private async checkNativeExecutables(req: CreateJobRequest): Promise<void> {
    for (const [i, v] of (req.variants ?? []).entries()) {
      const stream = await this.blobs.open(v.module.hash, { start: 0, end: ELF_HEADER_BYTES - 1 });
      const chunks: Buffer[] = [];
      for await (const chunk of stream ?? []) chunks.push(chunk as Buffer);
      const problem = nativeExecutableProblem(Buffer.concat(chunks), v.platform);
      if (problem === null) continue;
      throw new InvalidRequestError(`Variant ${i} is not a ${v.platform} executable: ${problem}.`, {
        path: ['variants', i, 'module'],
      });
    }
  }

  private async requireBlobs(wanted: ReadonlyMap<string, number>): Promise<void> {
    const missing: string[] = [];
    for (const [hash, size] of wanted) {
      if ((await this.blobs.size(hash)) !== size) missing.push(hash);
    }
    if (missing.length > 0) throw new BlobMissingError(missing);
  }

  async get(principal: Principal, jobId: number): Promise<JobView> {
    const job = await this.store.getJob(jobId, principal);
    if (!job) throw new NotFoundError('job', jobId);
    return job;
  }

  /** One task of a job by index, with its replicas (the variant each ran among them). */
  async task(principal: Principal, jobId: number, index: number): Promise<TaskView> {
    await this.get(principal, jobId);
    const task = await this.store.taskView(jobId, index);
    if (!task) throw new NotFoundError(`task of job ${jobId} at index`, index);
    return task;
  }

  list(principal: Principal): Promise<JobView[]> {
    return this.store.listJobs(principal, 1000);
  }

  async cancel(principal: Principal, jobId: number): Promise<JobView> {
    const job = await this.get(principal, jobId);
    if (job.state !== 'running') {
      throw new ConflictError(
        `Job ${jobId} is already ${job.state}; only running jobs can be cancelled.`,
        {
          state: job.state,
        },
      );
    }
    const changes = await this.store.cancelJob(jobId, Date.now());
    this.scheduler.dropJob(jobId);
    this.scheduler.publish(changes);
    return this.get(principal, jobId);
  }

  /** Why the job's tasks are not running (or are): its requirements against the connected hosts. */
  async diagnose(principal: Principal, jobId: number): Promise<JobDiagnostics> {
    if (!this.diagnostics) throw new NotFoundError('job', jobId);
    return this.diagnostics.of(principal, jobId);
  }

  async results(
    principal: Principal,
    jobId: number,
    after: number,
    limit: number,
  ): Promise<{ job: JobView; results: TaskResult[] }> {
    const job = await this.get(principal, jobId);
    const results = await this.store.listResults(jobId, after, limit);
    return { job, results };
  }

  /** `results`, each already JSON-encoded, for the result stream. */
  async encodedResults(
    principal: Principal,
    jobId: number,
    after: number,
    limit: number,
  ): Promise<EncodedResult[]> {
    await this.get(principal, jobId);
    return this.store.listEncodedResults(jobId, after, limit);
  }
}

/** Refuses known answers of tasks the job does not have, or two answers for one task. */
function checkKnownAnswers(policy: JobPolicy, tasks: number): void {
  if (policy.validation.mode !== 'spot-check') return;
  const seen = new Set<number>();
  for (const [i, { index }] of policy.validation.knownAnswers.entries()) {
    const path = ['policy', 'validation', 'knownAnswers', i, 'index'];
    if (index >= tasks) {
      throw new InvalidRequestError(
        `known answer ${i} is for task ${index}, but the job has ${tasks} task${tasks === 1 ? '' : 's'} (indexes 0 to ${tasks - 1}).`,
        { path },
      );
    }
    if (seen.has(index)) {
      throw new InvalidRequestError(
        `known answer ${i} is the second for task ${index}: give each task one answer at most.`,
        { path },
      );
    }
    seen.add(index);
  }
}

/** Whether a task waits for others. */
function hasParents(task: TaskSpec): boolean {
  return task.dependsOn !== undefined && task.dependsOn.length > 0;
}

/**
 * Refuses a request whose dependencies name an unknown task or form a cycle, before
 * anything is written (tasks `firstIndex…`; earlier ones were sent before).
 */
function checkGraph(tasks: readonly TaskSpec[], firstIndex: number): void {
  const problem = checkTaskGraph(tasks, firstIndex);
  if (problem) throw taskGraphError(problem);
}

/** Every blob a job or part names, with its size: module, other modules, inputs. */
function blobsOf(
  module: BlobRef,
  tasks: CreateJobRequest['tasks'],
  modules: readonly BlobRef[] = [],
): Map<string, number> {
  const wanted = new Map<string, number>([[module.hash, module.size]]);
  for (const m of modules) wanted.set(m.hash, m.size);
  for (const t of tasks) {
    if (t.stdin) wanted.set(t.stdin.hash, t.stdin.size);
    for (const f of Object.values(t.files)) wanted.set(f.hash, f.size);
  }
  return wanted;
}

/**
 * A signed job's native variants are signed too, each verifying for its executable's
 * hash: an agent that runs only signed modules must be able to check what it would run.
 */
function checkVariantSignatures(req: CreateJobRequest): void {
  for (const [i, v] of (req.variants ?? []).entries()) {
    if (v.signature === undefined) {
      if (req.signature === undefined) continue;
      throw new InvalidRequestError(
        `The job is signed but its variant ${i} (${v.platform}) is not; sign its executable too (anygrid sign FILE --key FILE).`,
        { path: ['variants', i, 'signature'] },
      );
    }
    if (!verifyModuleSignature(v.module.hash, v.signature)) {
      throw new SignatureInvalidError(v.module.hash, v.signature.publicKey);
    }
  }
}
