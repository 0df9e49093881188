/**
 * @module
 * "Why is my job not running": from the hosts connected now (what they declared, their
 * standing, what they are busy with) and a job's requirements, deadline and size, counts
 * per requirement (the price ceiling against hosts' asks among them) the hosts that fail
 * it and says what would help, then why the eligible
 * ones are not taking the job's tasks either (quarantine, quota, higher-priority work),
 * and what the coordinator knows of the module's signature key (agents keep their
 * trusted keys to themselves: only their refusals are known). Pure: the diagnostics
 * service gathers the facts, this file words them.
 */

import type {
  Asks,
  JobDiagnostics,
  JobPricing,
  JobRequirements,
  RequirementCheck,
} from '@anygrid/protocol';
import { type JobSize, runtimeOnHost } from './deadline-fit.js';
import {
  type HostCapabilities,
  meetsField,
  type RequirementField,
  requirementFields,
} from './host-match.js';
import { cheapestAsks, priceFits, type ReplicaShape } from './price-fit.js';
import type { KeptApart } from './validation-mode.js';

/** A connected host as diagnostics see it. */
export interface DiagnosedHost {
  readonly caps: HostCapabilities;
  readonly slots: number;
  readonly quarantined: boolean;
  /** Replicas it may still be sent today. */
  readonly quotaLeft: number;
  /** Replicas it runs now of jobs of higher priority than this one. */
  readonly higherPriority: number;
  /** Whether it refused a replica of this job's module (bytes or signature not accepted). */
  readonly refusedModule: boolean;
  readonly account: number;
  /** Its network under the coordinator's rule (policy/network-prefix.ts), or null. */
  readonly network: string | null;
}

export interface DiagnosisInput {
  readonly requirements?: JobRequirements;
  /** Absent: a free (volunteer) job, for hosts asking nothing. */
  readonly pricing?: JobPricing;
  readonly shape?: ReplicaShape;
  readonly deadlineMs: number;
  readonly size: JobSize;
  readonly hosts: readonly DiagnosedHost[];
  readonly tasks: JobDiagnostics['tasks'];
  readonly publicKey?: string;
  /**
   * Hosts of different accounts and networks the tasks need to settle, and for which share
   * of them (validation-mode.ts `hostsKeptApart`); default 1 for every task.
   */
  readonly keptApart?: KeptApart;
}

export type Diagnosis = Pick<JobDiagnostics, 'hosts' | 'requirements' | 'signature' | 'messages'>;

/** Diagnoses a job against the connected hosts. */
export function diagnose(input: DiagnosisInput): Diagnosis {
  const { hosts } = input;
  const req = input.requirements ?? {};
  const checks: RequirementCheck[] = requirementFields(req).map((field) =>
    checkField(field, req, hosts),
  );
  const deadline = checkDeadline(input);
  if (deadline) checks.push(deadline.check);
  const price = checkPrice(input);
  if (price) checks.push(price);
  const eligible = hosts.filter(
    (h) =>
      requirementFields(req).every((f) => meetsField(h.caps, req, f)) &&
      !deadline?.late.has(h) &&
      priceFits(h.caps.asks, input.pricing),
  );
  const usable = eligible.filter((h) => !h.quarantined && h.quotaLeft > 0);
  const counts = {
    connected: hosts.length,
    eligible: eligible.length,
    quarantined: eligible.filter((h) => h.quarantined).length,
    quotaExhausted: eligible.filter((h) => !h.quarantined && h.quotaLeft <= 0).length,
    busyWithHigherPriority: usable.filter((h) => h.higherPriority >= Math.max(1, h.slots)).length,
    accounts: new Set(usable.map((h) => h.account)).size,
  };
  const messages: string[] = [];
  const pending = input.tasks.total - input.tasks.settled;
  if (input.tasks.waitingForParents > 0) {
    messages.push(
      `${plural(input.tasks.waitingForParents, 'task waits', 'tasks wait')} for the tasks they depend on to end valid.`,
    );
  }
  if (pending > 0 && input.tasks.queued > 0) {
    messages.push(...hostMessages(counts, checks, hosts.length));
    const apart = keptApartMessage(usable, input.keptApart);
    if (apart !== undefined) messages.push(apart);
  }
  const refused = hosts.filter((h) => h.refusedModule).length;
  let signature: Diagnosis['signature'];
  if (input.publicKey !== undefined) {
    const message =
      refused > 0
        ? `${refused} of ${hosts.length} connected hosts refused the module: its signing key ${input.publicKey} is not one they trust (agents trust keys with \`provide --trust-key\`, or pin a publisher's first key).`
        : `Agents run a signed module under a key they trust (\`provide --trust-key\`) or the first key they saw for its publisher, unless started with \`--require-signed\` or \`--no-pin-publishers\`; the coordinator does not know which keys they trust, and none of the connected hosts refused it so far.`;
    signature = { publicKey: input.publicKey, message };
    if (refused > 0 && input.tasks.queued > 0) messages.push(message);
  } else if (refused > 0 && input.tasks.queued > 0) {
    messages.push(`${refused} of ${hosts.length} connected hosts refused the job's module.`);
  }
  return {
    hosts: counts,
    requirements: checks,
    ...(signature ? { signature } : {}),
    messages,
  };
}

/**
 * Why a compared job's tasks cannot settle on the hosts at hand: a task's replicas go to
 * hosts of different accounts and networks, and fewer of those are connected than its
 * quorum. The pool is not short of hosts, so nothing else would say so.
 */
export function keptApartMessage(
  usable: readonly Pick<DiagnosedHost, 'account' | 'network'>[],
  keptApart: KeptApart = { hosts: 1, share: 1 },
): string | undefined {
  const needed = keptApart.hosts;
  if (usable.length === 0 || needed <= 1) return undefined;
  const which =
    keptApart.share >= 1
      ? `Each task needs ${needed}`
      : `The tasks drawn for a check (${percent(keptApart.share)} of them) need ${needed}`;
  const accounts = new Set(usable.map((h) => h.account)).size;
  const hosts = plural(
    usable.length,
    'connected host that may run it',
    'connected hosts that may run it',
  );
  if (accounts < needed) {
    return `${which} hosts of different accounts to settle (hosts of one account never share a task), but the ${hosts} ${usable.length === 1 ? 'belongs' : 'belong'} to ${plural(accounts, 'account', 'accounts')}: connect providers of other accounts, each with a provider token of its own (\`anygrid token create --role provider\`).`;
  }
  // A host with no network under the rule (a private address) is kept apart by account only.
  if (usable.some((h) => h.network === null)) return undefined;
  const networks = new Set(usable.map((h) => h.network)).size;
  if (networks < needed) {
    return `${which} hosts on different networks to settle (hosts of one network never share a task), but the ${hosts} ${usable.length === 1 ? 'is' : 'are'} on ${plural(networks, 'network', 'networks')}: connect providers elsewhere, or start the coordinator with \`--network-rule\` to change what counts as one network.`;
  }
  return undefined;
}

function hostMessages(
  counts: JobDiagnostics['hosts'],
  checks: readonly RequirementCheck[],
  connected: number,
): string[] {
  if (connected === 0) {
    return ['No host is connected: start one with `anygrid provide --token-file provider.token`.'];
  }
  const out: string[] = [];
  if (counts.eligible === 0) {
    out.push('No connected host may run this job:');
    for (const c of checks) if (c.failing > 0) out.push(c.message);
    return out;
  }
  const idle =
    counts.eligible - counts.quarantined - counts.quotaExhausted - counts.busyWithHigherPriority;
  const of = `${plural(counts.eligible, 'connected host meets', 'connected hosts meet')} the job's requirements`;
  if (idle > 0) {
    // Some could take its tasks now; any requirement that rules others out is still worth saying.
    for (const c of checks) if (c.failing > 0) out.push(c.message);
    return out;
  }
  const why: string[] = [];
  if (counts.quarantined > 0)
    why.push(
      `${counts.quarantined} quarantined (an admin may release them with \`anygrid hosts release\`)`,
    );
  if (counts.quotaExhausted > 0)
    why.push(`${counts.quotaExhausted} sent their daily quota already`);
  if (counts.busyWithHigherPriority > 0) {
    why.push(
      `${counts.busyWithHigherPriority} busy with higher-priority work (raise the job's priority, or wait)`,
    );
  }
  out.push(`${of}, but none can take its tasks now: ${why.join('; ')}.`);
  return out;
}

function checkField(
  field: RequirementField,
  req: JobRequirements,
  hosts: readonly DiagnosedHost[],
): RequirementCheck {
  const failing = hosts.filter((h) => !meetsField(h.caps, req, field)).length;
  const n = hosts.length;
  const { wanted, have, pool } = DESCRIBE[field](
    req,
    hosts.map((h) => h.caps),
  );
  const message = `${n - failing} of ${n} connected hosts ${have}${pool}.`;
  return { requirement: field, wanted, failing, connected: n, message };
}

/** A requirement in words: what the job wants, what a passing host does, what the pool has. */
interface Described {
  readonly wanted: string;
  readonly have: string;
  /** What the connected hosts offer, e.g. ` (largest: 16 GiB)`; may be empty. */
  readonly pool: string;
}

type Describe = (req: JobRequirements, caps: readonly HostCapabilities[]) => Described;

/** A lower bound on something hosts have: `≥ 8 GiB memory`. */
function atLeast(what: string, pool: string): Described {
  const wanted = `≥ ${what}`;
  return { wanted, have: `have ${wanted}`, pool };
}

const DESCRIBE: Record<RequirementField, Describe> = {
  platforms: (req, caps) => {
    const list = (req.platforms ?? []).join(' or ');
    const pool = tally(
      caps.map((c) => c.platform),
      'connected',
    );
    return { wanted: `platform ${list}`, have: `run on ${list}`, pool };
  },
  minMemoryBytes: (req, caps) =>
    atLeast(
      `${bytesText(req.minMemoryBytes ?? 0)} memory`,
      most(
        caps.map((c) => c.memoryBytes),
        'largest',
        bytesText,
      ),
    ),
  minCores: (req, caps) =>
    atLeast(
      `${req.minCores} cores`,
      most(
        caps.map((c) => c.cores),
        'most',
        String,
      ),
    ),
  minDiskBytes: (req, caps) =>
    atLeast(
      `${bytesText(req.minDiskBytes ?? 0)} free disk`,
      known(
        caps.map((c) => c.freeDiskBytes),
        'most',
        bytesText,
      ),
    ),
  minSpeed: (req, caps) => {
    const wanted = `≥ ${opsText(req.minSpeed ?? 0)} on the benchmark`;
    const pool = known(
      caps.map((c) => c.speed),
      'fastest',
      opsText,
    );
    return { wanted, have: `run ${wanted}`, pool };
  },
  accelerators: (req) => {
    const kinds = req.accelerators ?? [];
    return {
      wanted: `accelerator ${kinds.join(' and ')}`,
      have: `have a ${kinds.join(' and a ')} accelerator`,
      pool: '',
    };
  },
  regions: (req, caps) => {
    const list = (req.regions ?? []).join(' or ');
    const pool = tally(
      caps.map((c) => c.region ?? 'none declared'),
      'regions',
    );
    return { wanted: `region ${list}`, have: `are in ${list}`, pool };
  },
  minReputation: (req, caps) => {
    const best = most(
      caps.map((c) => c.reputation),
      'best',
      (v) => v.toFixed(2),
    );
    return {
      wanted: `reputation ≥ ${req.minReputation}`,
      have: `have a reputation lower bound ≥ ${req.minReputation}`,
      pool: `${best}; it grows with valid results`,
    };
  },
};

/** The deadline as a requirement, when some connected host has a runtime estimate. */
function checkDeadline(
  input: DiagnosisInput,
): { check: RequirementCheck; late: Set<DiagnosedHost> } | undefined {
  const late = new Set<DiagnosedHost>();
  let estimated = 0;
  let best = Number.POSITIVE_INFINITY;
  for (const h of input.hosts) {
    const ms = runtimeOnHost(input.size, h.caps.speed);
    if (ms === undefined) continue;
    estimated++;
    best = Math.min(best, ms);
    if (ms > input.deadlineMs) late.add(h);
  }
  if (estimated === 0) return undefined;
  const n = input.hosts.length;
  const wanted = `a task within the replica deadline of ${secondsText(input.deadlineMs)}`;
  const size = input.size.estimatedOps ?? input.size.measuredOps;
  const sized = size === undefined ? '' : ` (≈ ${opsText(size).replace('/s', '')} per task)`;
  const message = `${n - late.size} of ${n} connected hosts are expected to finish ${wanted}${sized}; the fastest would take ${secondsText(best)}${late.size > 0 ? ': give a longer deadline (policy.deadlineMs) or wait for faster hosts' : ''}.`;
  return {
    check: { requirement: 'deadline', wanted, failing: late.size, connected: n, message },
    late,
  };
}

/**
 * The price as a requirement: for a paid job, the hosts whose asks exceed its ceiling,
 * with the cheapest ask seen; for a free job, the hosts that ask a price (only when some
 * do, so a volunteer grid's diagnosis says nothing of prices).
 */
function checkPrice(input: DiagnosisInput): RequirementCheck | undefined {
  const n = input.hosts.length;
  const failing = input.hosts.filter((h) => !priceFits(h.caps.asks, input.pricing));
  const shape = input.shape ?? { memGiB: 1, gpu: false };
  if (input.pricing === undefined) {
    if (failing.length === 0) return undefined;
    const wanted = 'hosts asking nothing (a free job)';
    const one = failing.length === 1;
    const message = `${n - failing.length} of ${n} connected hosts ask nothing; ${failing.length} ${one ? 'asks a price and runs' : 'ask a price and run'} only paid jobs: give the job a price ceiling (\`anygrid submit --ceiling-cpu\`, or policy.pricing) to use ${one ? 'it' : 'them'}.`;
    return { requirement: 'price', wanted, failing: failing.length, connected: n, message };
  }
  const c = input.pricing.ceiling;
  const wanted = `asks ≤ ${asksText(c)}`;
  const cheapest = cheapestAsks(
    input.hosts.map((h) => h.caps.asks),
    shape,
  );
  const seen = cheapest === undefined ? '' : ` (cheapest ask: ${asksText(cheapest)})`;
  const advice =
    failing.length === n && n > 0
      ? ': every connected host asks more than the ceiling; raise the ceiling (`anygrid submit --ceiling-cpu`, or policy.pricing.ceiling) or wait for cheaper hosts'
      : '';
  const message = `${n - failing.length} of ${n} connected hosts ask at or under the job's price ceiling of ${asksText(c)}${seen}${advice}.`;
  return { requirement: 'price', wanted, failing: failing.length, connected: n, message };
}

/** `3 µ/CPU-s, 1 µ/GiB-s, 0 µ/GPU-s`: micro-credits per unit. */
export function asksText(a: Asks): string {
  return `${a.cpuSecond} µ/CPU-s, ${a.memGiBSecond} µ/GiB-s, ${a.gpuSecond} µ/GPU-s`;
}

/** `10 %`, `0.5 %`: a share as a person reads it. */
function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))} %`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** ` (largest: 16 GiB)`. */
function most(values: readonly number[], word: string, text: (v: number) => string): string {
  if (values.length === 0) return '';
  return ` (${word}: ${text(Math.max(...values))})`;
}

/** `most`, for a capability some hosts never declared. */
function known(
  values: readonly (number | null)[],
  word: string,
  text: (v: number) => string,
): string {
  const said = values.filter((v): v is number => v !== null);
  const silent = values.length - said.length;
  const parts = [
    ...(said.length > 0 ? [`${word}: ${text(Math.max(...said))}`] : []),
    ...(silent > 0 ? [`${silent} did not say`] : []),
  ];
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

/** ` (connected: linux-x64 ×3, browser-wasm ×1)`. */
function tally(values: readonly string[], word: string): string {
  if (values.length === 0) return '';
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return ` (${word}: ${[...counts].map(([v, c]) => `${v} ×${c}`).join(', ')})`;
}

/** 8 GiB, 1.5 GiB, 512 MiB. */
export function bytesText(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

function opsText(ops: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, prefix] of units) {
    if (ops >= scale) return `${Number((ops / scale).toPrecision(3))} ${prefix}ops/s`;
  }
  return `${Number(ops.toPrecision(3))} ops/s`;
}

function secondsText(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))} s`;
}
