/**
 * @module
 * The requester's entry point: `new Anygrid({ url, token })` then `grid.submit(...)`.
 * It uploads what the coordinator lacks, creates the job and hands back a `Job`; it quotes
 * a job's cost and completion time before submitting (`quote`); it also
 * lists and re-attaches jobs, fetches blobs by hash (checking their hash), shows hosts
 * to their owners and admins and, with an admin token, creates tokens, releases
 * quarantined hosts and sets accounts' fair-share weights.
 */

import {
  type AccountList,
  type AccountView,
  type AddTasksRequestInput,
  BlobMissingError,
  type BlobRef,
  type CreateTokenResponse,
  type CreditRequest,
  HashMismatchError,
  type Health,
  type HostList,
  type HostView,
  type JobList,
  type JobVariant,
  type JobView,
  type Leaderboard,
  type LeaderboardQueryInput,
  type LedgerCheck,
  MAX_TASKS_PER_JOB,
  type MoneyResponse,
  type PayoutRequest,
  type Payouts,
  type Quote,
  type QuoteRequestInput,
  type ReleaseHostResponse,
  type Role,
  type StakeRequestInput,
  type Statement,
  type TaskSpecInput,
  type TeamView,
  type UnstakeRequest,
  type WhoAmI,
} from '@anygrid/protocol';
import { BlobUploader } from './blob-uploader.js';
import { sha256Hex } from './content-hash.js';
import { HttpClient } from './http-client.js';
import { Job } from './job.js';
import { checkJob, checkModuleBytes, standIn } from './job-check.js';
import { loadModule } from './module-source.js';
import { Backoff, type RetryPolicy } from './retry.js';
import {
  jobRequest,
  policyOf,
  type SubmitOptions,
  signatureOf,
  taskSpecs,
} from './submit-options.js';

/**
 * Tasks per request of a submit: a job larger than one request allows goes in parts,
 * the first creating the job and providers starting on it while the others follow.
 * (Smaller parts measured no faster: the coordinator's work is the same, in more pieces.)
 */
export const SUBMIT_PART = MAX_TASKS_PER_JOB;

/** The coordinator a client talks to when neither the options nor ANYGRID_URL name one. */
export const DEFAULT_URL = 'http://127.0.0.1:7070';

/** Options of `new Anygrid()`. */
export interface AnygridOptions {
  /** Coordinator URL; default env ANYGRID_URL, then http://127.0.0.1:7070. */
  readonly url?: string | undefined;
  /** Bearer token; default env ANYGRID_TOKEN. */
  readonly token?: string | undefined;
  /** How result streams retry through outages. */
  readonly retry?: RetryPolicy;
  /** Parallel blob uploads during submit (default 8). */
  readonly uploadConcurrency?: number;
}

/** What a submit uploaded, for callers that report it. */
export interface SubmitStats {
  readonly uploadedBlobs: number;
  readonly uploadedBytes: number;
  /**
   * What the coordinator warned of when it accepted the job, e.g. that no connected host
   * meets its requirements (`job.diagnostics()` says more); empty when nothing.
   */
  readonly warnings: readonly string[];
}

/** What `grid.quote` takes: a job as `submit` takes it, with an optional module and tasks or a count. */
export interface QuoteOptions extends Omit<SubmitOptions, 'module' | 'tasks'> {
  readonly module?: SubmitOptions['module'];
  readonly tasks: SubmitOptions['tasks'] | number;
}

/** A client of one coordinator. */
export class Anygrid {
  /** The coordinator's base URL. */
  readonly url: string;
  private readonly http: HttpClient;
  private readonly options: AnygridOptions;
  /**
   * Blobs this client has seen the coordinator hold, so repeated submits of one module
   * skip the `HEAD` round trip. If the coordinator lost them (a fresh data dir), job
   * creation answers BLOB_MISSING and the submit uploads again once.
   */
  private readonly present = new Set<string>();
  /** Uploads done by the last `submit`. */
  lastSubmit: SubmitStats = { uploadedBlobs: 0, uploadedBytes: 0, warnings: [] };

  constructor(options: AnygridOptions = {}) {
    const env = typeof process === 'undefined' ? undefined : process.env;
    this.url = (options.url || env?.ANYGRID_URL || DEFAULT_URL).replace(/\/+$/, '');
    this.http = new HttpClient(this.url, options.token || env?.ANYGRID_TOKEN || undefined);
    this.options = options;
  }

  /**
   * Checks the whole job against the protocol (policy, every task, name, argv0) before
   * anything is uploaded, then uploads the module and inputs the coordinator lacks,
   * creates the job and returns it.
   */
  async submit(options: SubmitOptions): Promise<Job> {
    const validator =
      options.compare?.kind === 'validator'
        ? await moduleSource(options.compare.module)
        : undefined;
    const policy = policyOf(
      options,
      validator instanceof Uint8Array ? standIn(validator) : validator,
    );
    const module = await moduleSource(options.module);
    if (module instanceof Uint8Array) {
      // Named by its path, else by the file name the program is told it has.
      const name = typeof options.module === 'string' ? options.module : options.argv0;
      checkModuleBytes(module, name ?? 'the module');
    }
    const checked = checkJob(
      options,
      policy,
      module instanceof Uint8Array ? standIn(module) : module,
    );
    try {
      return await this.submitOnce(options, policy, module, checked, validator);
    } catch (err) {
      if (!(err instanceof BlobMissingError) || this.present.size === 0) throw err;
      this.present.clear();
      return this.submitOnce(options, policy, module, checked, validator);
    }
  }

  /**
   * What the job would cost and when it would be done if submitted now (`POST
   * /v1/quotes`): min, expected and max cost in micro-credits, and completion time, from
   * the connected hosts' asks, speeds and slots and the queue ahead. `tasks` may be the
   * tasks as `submit` takes them or a count; `module`, when given, is hashed (not
   * uploaded) so the coordinator can size tasks from its earlier runs. Nothing is
   * reserved.
   */
  async quote(options: QuoteOptions): Promise<Quote> {
    const policy = policyOf({ ...options, module: options.module ?? '', tasks: [] });
    const source = options.module === undefined ? undefined : await moduleSource(options.module);
    const module =
      source === undefined || !(source instanceof Uint8Array)
        ? source
        : { hash: await sha256Hex(source), size: source.byteLength };
    const tasks = typeof options.tasks === 'number' ? options.tasks : options.tasks.length;
    const body: QuoteRequestInput = {
      ...(module === undefined ? {} : { module }),
      policy,
      ...(options.requirements === undefined ? {} : { requirements: options.requirements }),
      tasks,
    };
    return this.http.json<Quote>({
      method: 'POST',
      path: '/v1/quotes',
      json: body,
      signal: options.signal,
    });
  }

  private async submitOnce(
    options: SubmitOptions,
    policy: ReturnType<typeof policyOf>,
    source: Uint8Array | BlobRef,
    checked: TaskSpecInput[],
    /** The validator module's bytes or reference, when `compare` names one. */
    validator: Uint8Array | BlobRef | undefined,
  ): Promise<Job> {
    const blobs = new BlobUploader(
      this.http,
      this.options.uploadConcurrency,
      options.signal,
      this.present,
    );
    const module = source instanceof Uint8Array ? await blobs.ensure(source) : source;
    const signature = await signatureOf(options, module.hash);
    if (validator !== undefined && policy.compare?.kind === 'validator') {
      const ref = validator instanceof Uint8Array ? await blobs.ensure(validator) : validator;
      policy = { ...policy, compare: { ...policy.compare, module: ref } };
    }
    const variants = await this.variantRefs(options, blobs);
    const tasks = await taskSpecs(options.tasks, checked, blobs);
    const first = tasks.slice(0, SUBMIT_PART);
    const view = await this.http.json<JobView>({
      method: 'POST',
      path: '/v1/jobs',
      json: jobRequest(options, module, policy, first, tasks.length, signature, variants),
      signal: options.signal,
    });
    for (let from = first.length; from < tasks.length; from += SUBMIT_PART) {
      await this.addPart(view.id, from, tasks.slice(from, from + SUBMIT_PART), options.signal);
    }
    this.lastSubmit = {
      uploadedBlobs: blobs.uploadedBlobs,
      uploadedBytes: blobs.uploadedBytes,
      warnings: view.warnings ?? [],
    };
    return this.job(view.id);
  }

  /** The job's native variants with their executables uploaded (and signed with `signWith`). */
  private async variantRefs(
    options: SubmitOptions,
    blobs: BlobUploader,
  ): Promise<JobVariant[] | undefined> {
    if (options.variants === undefined || options.variants.length === 0) return undefined;
    return Promise.all(
      options.variants.map(async (v) => {
        const source = await moduleSource(v.module);
        const module = source instanceof Uint8Array ? await blobs.ensure(source) : source;
        const signature =
          v.signature ?? (options.signWith ? await signatureOf(options, module.hash) : undefined);
        return { ...v, module, ...(signature === undefined ? {} : { signature }) };
      }),
    );
  }

  /** Sends one part of a job; retried through outages, since a part sent twice counts once. */
  private async addPart(
    jobId: number,
    from: number,
    tasks: TaskSpecInput[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const backoff = new Backoff(this.options.retry);
    for (;;) {
      try {
        await this.http.json<JobView>({
          method: 'POST',
          path: `/v1/jobs/${jobId}/tasks`,
          json: { from, tasks } satisfies AddTasksRequestInput,
          signal,
        });
        return;
      } catch (err) {
        await backoff.wait(err, signal);
      }
    }
  }

  /** A handle on an existing job (no request is made until it is used). */
  job(id: number): Job {
    return new Job(id, this.http, (hash) => this.blobWithRetry(hash), this.options.retry);
  }

  /** This token's jobs, newest state from the coordinator. */
  async jobs(signal?: AbortSignal): Promise<JobView[]> {
    return (await this.http.json<JobList>({ path: '/v1/jobs', signal })).jobs;
  }

  /** A blob's bytes, checked against its hash. */
  async blob(hash: string, signal?: AbortSignal): Promise<Uint8Array> {
    const bytes = await this.http.bytes({ path: `/v1/blobs/${hash}`, signal });
    const actual = await sha256Hex(bytes);
    if (actual !== hash) throw new HashMismatchError(hash, actual);
    return bytes;
  }

  /** A result's large output survives a coordinator restart like the stream that named it. */
  private async blobWithRetry(hash: string): Promise<Uint8Array> {
    const backoff = new Backoff(this.options.retry);
    for (;;) {
      try {
        return await this.blob(hash);
      } catch (err) {
        await backoff.wait(err);
      }
    }
  }

  /** Uploads bytes unless the coordinator already holds them. */
  upload(bytes: Uint8Array, signal?: AbortSignal): Promise<BlobRef> {
    return new BlobUploader(this.http, 1, signal).ensure(bytes);
  }

  /** Who this token belongs to. */
  whoami(signal?: AbortSignal): Promise<WhoAmI> {
    return this.http.json<WhoAmI>({ path: '/v1/whoami', signal });
  }

  /** The coordinator's health (no token needed). */
  health(signal?: AbortSignal): Promise<Health> {
    return this.http.json<Health>({ path: '/v1/health', signal });
  }

  /** Hosts this token may see (a provider's own, or all for an admin) with their reputation. */
  hosts(signal?: AbortSignal): Promise<HostList> {
    return this.http.json<HostList>({ path: '/v1/hosts', signal });
  }

  /** One host, if this token may see it. */
  host(id: number, signal?: AbortSignal): Promise<HostView> {
    return this.http.json<HostView>({ path: `/v1/hosts/${id}`, signal });
  }

  /** Volunteer credit ranked by host, account or team (docs/incentives.md). */
  leaderboard(query: LeaderboardQueryInput = {}, signal?: AbortSignal): Promise<Leaderboard> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return this.http.json<Leaderboard>({ path: `/v1/leaderboard${qs ? `?${qs}` : ''}`, signal });
  }

  /** Creates a team and moves this token's account into it. */
  createTeam(name: string): Promise<TeamView> {
    return this.http.json<TeamView>({ method: 'POST', path: '/v1/teams', json: { name } });
  }

  /** Moves this token's account into a team. */
  joinTeam(name: string): Promise<TeamView> {
    return this.http.json<TeamView>({ method: 'POST', path: '/v1/teams/join', json: { name } });
  }

  /** Releases a quarantined host so it gets work again (admin only). */
  releaseHost(id: number): Promise<ReleaseHostResponse> {
    return this.http.json<ReleaseHostResponse>({
      method: 'POST',
      path: `/v1/hosts/${id}/release`,
      json: {},
    });
  }

  /** Accounts with their fair-share weights and replicas queued, newest first (admin only). */
  accounts(signal?: AbortSignal): Promise<AccountList> {
    return this.http.json<AccountList>({ path: '/v1/accounts', signal });
  }

  /** Sets an account's fair-share weight (admin only; docs/scheduling.md). */
  setAccountShare(id: number, share: number): Promise<AccountView> {
    return this.http.json<AccountView>({
      method: 'PATCH',
      path: `/v1/accounts/${id}`,
      json: { share },
    });
  }

  /** Creates a token (admin only). */
  createToken(role: Role, account?: string, label?: string): Promise<CreateTokenResponse> {
    return this.http.json<CreateTokenResponse>({
      method: 'POST',
      path: '/v1/tokens',
      json: { role, ...(account ? { account } : {}), ...(label ? { label } : {}) },
    });
  }

  /** Credits an account's balance, once per idempotency key (admin only; docs/incentives.md). */
  credit(accountId: number, req: CreditRequest): Promise<MoneyResponse> {
    return this.http.json<MoneyResponse>({
      method: 'POST',
      path: `/v1/accounts/${accountId}/credit`,
      json: req,
    });
  }

  /** Moves this provider's balance or earnings into its stake, once per idempotency key. */
  stake(req: StakeRequestInput): Promise<MoneyResponse> {
    return this.http.json<MoneyResponse>({ method: 'POST', path: '/v1/stake', json: req });
  }

  /** Moves stake back into this provider's balance, once per idempotency key. */
  unstake(req: UnstakeRequest): Promise<MoneyResponse> {
    return this.http.json<MoneyResponse>({ method: 'POST', path: '/v1/unstake', json: req });
  }

  /** Marks a payout made from a provider's earnings, once per idempotency key (admin only). */
  markPayout(req: PayoutRequest): Promise<MoneyResponse> {
    return this.http.json<MoneyResponse>({ method: 'POST', path: '/v1/payouts', json: req });
  }

  /** What each provider earned since a cursor (admin only). */
  payouts(after = 0, signal?: AbortSignal): Promise<Payouts> {
    return this.http.json<Payouts>({ path: `/v1/payouts?after=${after}`, signal });
  }

  /** An account's ledger entries after a cursor (its own unless the token is an admin's). */
  statement(
    query: { account?: number; after?: number; limit?: number } = {},
    signal?: AbortSignal,
  ): Promise<Statement> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.size > 0 ? `?${params}` : '';
    return this.http.json<Statement>({ path: `/v1/statement${qs}`, signal });
  }

  /** The ledger's invariant check (admin only). */
  ledgerCheck(signal?: AbortSignal): Promise<LedgerCheck> {
    return this.http.json<LedgerCheck>({ path: '/v1/ledger/check', signal });
  }
}

/** The module's bytes (read from its path or URL), or the reference given. */
async function moduleSource(source: SubmitOptions['module']): Promise<Uint8Array | BlobRef> {
  return typeof source === 'string' ? loadModule(source) : source;
}
