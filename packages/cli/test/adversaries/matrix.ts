/**
 * @module
 * One cell of the adversarial matrix: a job of prime counts on a running coordinator,
 * real honest agents already attached, and adversaries (protocol-provider.ts) started
 * for the cell, each with an account of its own. It follows the requester's result
 * stream while the job runs, so a wrong result accepted for a moment and corrected later
 * is seen, and it returns what the requester ended with and what became of each
 * adversary.
 */

import type { Assignment } from '@anygrid/protocol';
import { type client, countPrimes, example } from '../harness.js';
import { inspectStore } from '../store-inspect.js';
import { type Behaviour, ProtocolProvider, runBehaviour } from './protocol-provider.js';

type Client = ReturnType<typeof client>;

export interface Cell {
  readonly name: string;
  readonly policy: Record<string, unknown>;
  readonly adversaries: readonly Behaviour[];
  readonly honestHosts: number;
  /** Tasks per job. */
  readonly tasks: number;
  /** Jobs at most, submitted one after another while saboteurs remain free. */
  readonly maxJobs: number;
  /** First number of the cell's ranges, so cells do not share tasks. */
  readonly offset: number;
}

export interface CellOutcome {
  readonly tasks: number;
  readonly jobs: number;
  readonly replicasPerTask: number;
  /** Tasks whose last result the requester got is wrong. */
  readonly wrongFinal: number;
  /** Tasks the requester saw wrong first and corrected later. */
  readonly corrected: number;
  readonly failed: number;
  /**
   * Tasks two of whose replicas went to hosts of one account (spot checks aside): the
   * store's assignment must make it 0 whatever the hosts of one owner try.
   */
  readonly sharedByAccount: number;
  readonly adversaries: readonly {
    name: string;
    hostId: number;
    catchable: boolean;
    quarantined: boolean;
    refused: Record<string, number>;
    pulled: number;
    reported: number;
  }[];
  readonly seconds: number;
}

const WIDTH = 400;

/** What a correct run prints for a task's arguments. */
function correctOutput(a: Pick<Assignment, 'args'>): string {
  return `${countPrimes(Number(a.args[0]), Number(a.args[1]))}\n`;
}

function decode(r: { stdout: { data?: string } | null }): string {
  return r.stdout?.data ? Buffer.from(r.stdout.data, 'base64').toString('utf8') : '';
}

export async function runCell(
  cell: Cell,
  ctx: { url: string; dataDir: string; admin: Client; requester: Client },
  timeoutMs: number,
): Promise<CellOutcome> {
  const started = Date.now();
  const stop = new AbortController();
  const providers: ProtocolProvider[] = [];
  const tokens = new Map<string, string>();
  for (const [i, b] of cell.adversaries.entries()) {
    const account = `${cell.name}-${b.account ?? `adv-${i}`}`;
    const token = tokens.get(account) ?? (await ctx.admin.token('provider', account));
    tokens.set(account, token);
    const p = new ProtocolProvider(ctx.url, token, `${cell.name}-${b.name}-${i}`);
    await p.register();
    providers.push(p);
  }
  const loops = providers.map((p, i) =>
    runBehaviour(p, cell.adversaries[i] as Behaviour, correctOutput, stop.signal),
  );

  // Jobs follow one another until every catchable adversary is quarantined (an
  // adversary is caught only while there is work to cheat on), up to `maxJobs`.
  const jobs: { id: number; expected: string[]; history: Map<number, string[]>; cursor: number }[] =
    [];
  const module = await ctx.requester.upload(example('prime.wasm'));
  const submit = async () => {
    const first = cell.offset + jobs.length * cell.tasks * WIDTH;
    const ranges = Array.from({ length: cell.tasks }, (_, i) => [
      first + i * WIDTH,
      first + (i + 1) * WIDTH,
    ]);
    const created = await ctx.requester.post('/v1/jobs', {
      name: `adversarial-${cell.name}`,
      module,
      policy: cell.policy,
      tasks: ranges.map(([a, b]) => ({ args: [String(a), String(b)] })),
    });
    if (created.status !== 201) throw new Error(`submit: ${JSON.stringify(created.body)}`);
    jobs.push({
      id: created.body.id as number,
      expected: ranges.map(([a, b]) => `${countPrimes(a as number, b as number)}\n`),
      history: new Map(),
      cursor: 0,
    });
  };
  // Every entry of each job's stream, in order: a task's later entry replaces its earlier one.
  const poll = async () => {
    for (const job of jobs) {
      for (;;) {
        const r = await ctx.requester.get(
          `/v1/jobs/${job.id}/results?after=${job.cursor}&limit=1000`,
        );
        for (const res of r.body.results) {
          const seen = job.history.get(res.index) ?? [];
          seen.push(res.outcome === 'valid' ? decode(res) : `(${res.outcome})`);
          job.history.set(res.index, seen);
        }
        job.cursor = r.body.next;
        if (r.body.results.length < 1000) break;
      }
    }
  };
  const running = async () => {
    for (const job of jobs) {
      if ((await ctx.requester.get(`/v1/jobs/${job.id}`)).body.state === 'running') return true;
    }
    return false;
  };
  const store = () => inspectStore(ctx.dataDir);
  const quarantined = (): Set<number> => {
    const s = store();
    const ids = s
      .query<{ id: number }>('SELECT id FROM hosts WHERE quarantined_at IS NOT NULL')
      .map((r) => r.id);
    s.close();
    return new Set(ids);
  };
  const catchable = providers.filter((_, i) => cell.adversaries[i]?.catchable);
  await submit();
  for (;;) {
    await poll();
    const q = quarantined();
    const allCaught = catchable.every((p) => q.has(p.hostId));
    const busy = await running();
    if (!busy && allCaught) break;
    if (Date.now() - started > timeoutMs) break;
    if (!busy && jobs.length < cell.maxJobs) {
      if (process.env.ADVERSARIAL_DEBUG)
        console.log(`job ${jobs.length} done at ${Date.now() - started} ms`);
      await submit();
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  stop.abort();
  await Promise.allSettled(loops);
  // Results still being verified again settle among honest hosts now.
  const until = Date.now() + 20_000;
  while ((await running()) && Date.now() < until) await new Promise((r) => setTimeout(r, 150));
  await poll();

  let wrongFinal = 0;
  let corrected = 0;
  let failed = 0;
  let tasks = 0;
  let replicas = 0;
  let sharedByAccount = 0;
  const s = store();
  for (const job of jobs) {
    tasks += job.expected.length;
    for (const [index, want] of job.expected.entries()) {
      const seen = job.history.get(index) ?? [];
      const last = seen[seen.length - 1];
      if (last === '(failed)') failed++;
      if (last !== want) {
        wrongFinal++;
        if (process.env.ADVERSARIAL_DEBUG) {
          const t = store().query(
            `SELECT r.id, r.host_id, r.state, r.validation, r.excluded, r.confirmation, substr(r.digest,1,6) d, t.id AS task, t.state AS ts
             FROM replicas r JOIN tasks t ON t.id = r.task_id WHERE t.job_id = ? AND t.idx = ?`,
            job.id,
            index,
          );
          console.log(
            'WRONG',
            job.id,
            index,
            JSON.stringify(want),
            JSON.stringify(seen),
            JSON.stringify(t),
          );
        }
      } else if (seen.some((x) => x !== want)) corrected++;
    }
    replicas += s.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM replicas WHERE job_id = ? AND state <> 'abandoned'`,
      job.id,
    )[0]?.n as number;
    sharedByAccount += s.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM (
         SELECT r.task_id FROM replicas r JOIN hosts h ON h.id = r.host_id
         WHERE r.job_id = ? AND r.state <> 'abandoned' AND r.spot IS NOT 1
         GROUP BY r.task_id, h.account_id HAVING COUNT(*) > 1)`,
      job.id,
    )[0]?.n as number;
  }
  s.close();
  const q = quarantined();
  return {
    tasks,
    jobs: jobs.length,
    replicasPerTask: replicas / tasks,
    wrongFinal,
    corrected,
    failed,
    sharedByAccount,
    adversaries: providers.map((p, i) => ({
      name: p.name,
      hostId: p.hostId,
      catchable: cell.adversaries[i]?.catchable ?? true,
      quarantined: q.has(p.hostId),
      refused: p.counts.refused,
      pulled: p.counts.pulled,
      reported: p.counts.reported,
    })),
    seconds: (Date.now() - started) / 1000,
  };
}

/** The harness's own counts, one line per cell. */
export function describeOutcome(cell: Cell, o: CellOutcome): string {
  const sabs = o.adversaries.length;
  const share = Math.round((100 * sabs) / (sabs + cell.honestHosts));
  const caught = o.adversaries.filter((a) => a.catchable);
  const quarantined = caught.filter((a) => a.quarantined).length;
  const refused = o.adversaries.reduce((n, a) => n + (a.refused.NOT_ASSIGNED ?? 0), 0);
  return (
    `${cell.name}: ${share}% saboteurs (${o.adversaries.map((a) => a.name).join(', ')}), ` +
    `${o.jobs} job(s) of ${o.tasks / o.jobs} tasks, ${o.replicasPerTask.toFixed(2)} replicas/task, wrong in final results ${o.wrongFinal}, ` +
    `wrong then corrected ${o.corrected}, failed ${o.failed}, shared by one account ${o.sharedByAccount}, quarantined ${quarantined}/${caught.length}, ` +
    `forged reports refused ${refused}, ${o.seconds.toFixed(1)} s\n` +
    o.adversaries
      .map(
        (a) =>
          `  ${a.name}: pulled ${a.pulled}, reported ${a.reported}, ${a.quarantined ? 'quarantined' : 'free'}`,
      )
      .join('\n')
  );
}
