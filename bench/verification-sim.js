/**
 * @module
 * The simulator behind `npm run bench -- verification` (bench/verification.js): hosts on
 * a virtual clock, honest or saboteurs of a given model, running tasks whose replication,
 * quorums, re-checks and quarantine are decided by the coordinator's own pure policy code
 * (`@anygrid/coordinator/policy`). Seeded: the same options give the same counts.
 */

import {
  boincIsTrusted,
  boincReplicationProbability,
  boincShouldReplicate,
  confirmationOf,
  DEFAULT_ADAPTIVE,
  decideTask,
  isQuarantined,
  isTrusted,
  mayAcceptAlone,
  mayTake,
  newValidationRecord,
  recordAlone,
  recordConfirmed,
  recordExonerated,
  recordInvalid,
  recordValid,
  replicationProbability,
  resultsToRecheck,
  seededRandom,
  shouldReplicate,
  spotCheckNow,
} from '@anygrid/coordinator/policy';

const CORRECT = 0;
/** Mean time a replica takes, in virtual ms. */
const MEAN_TASK_MS = 10_000;
/** The one wrong output colluders agree on. */
const COLLUDED = -1;

/** Replication probability at which a patient saboteur starts cheating. */
const PATIENT_AT = 0.05;

/** The adaptive rule as the simulated coordinator calls it, with layers that can be switched off. */
const adaptive =
  (params, { recheck = true, quarantine = true } = {}) =>
  () => ({
    replicate: (r, random) => shouldReplicate(r, params, random),
    probability: (r) => replicationProbability(r, params),
    acceptAlone: (r) => mayAcceptAlone(r, params),
    trusted: (r) => isTrusted(r, params),
    spotCheck: (r, random) => spotCheckNow(r, params, random),
    mayTake: (r, queuedAt, now) => mayTake(r, 'check', queuedAt, now, params),
    retryAfter: params.trustedWaitMs / 2,
    actsOnCatch: true,
    recheck,
    forgiveAfter: params.forgiveAfter,
    quarantine: quarantine ? (r) => isQuarantined(r, params) : () => false,
    confirmed: (r, others) => recordConfirmed(r, others, params),
  });

/** The baselines: no spot checks, no re-checks, no quarantine, any host checks any other. */
const baseline = (replicate, probability, trusted) => () => ({
  replicate,
  probability,
  acceptAlone: () => true,
  trusted,
  spotCheck: () => false,
  mayTake: () => true,
  actsOnCatch: false,
  recheck: false,
  quarantine: () => false,
  confirmed: (r, others) => recordValid(r, others),
});

/** The adaptive rule turned down to about the cost of BOINC's rule (1.036–1.045 replicas/task over seeds 1–10). */
export const EQUAL_COST = { ...DEFAULT_ADAPTIVE, floor: 0.005, spotCheckRate: 0 };

/** Policies by name: the table's, then (with `--ablation`) the adaptive rule without some layers. */
export const POLICIES = {
  'replicate n=2': baseline(
    () => true,
    () => 1,
    () => false,
  ),
  'boinc adaptive': baseline(
    (r, random) => boincShouldReplicate(r, random),
    boincReplicationProbability,
    boincIsTrusted,
  ),
  'anygrid adaptive': adaptive(DEFAULT_ADAPTIVE),
  'anygrid, floor 0.5 %': adaptive(EQUAL_COST),
};
export const ABLATIONS = {
  'anygrid, no quarantine': adaptive(DEFAULT_ADAPTIVE, { quarantine: false }),
  'anygrid, no re-check': adaptive(DEFAULT_ADAPTIVE, { recheck: false }),
  'anygrid, neither': adaptive(DEFAULT_ADAPTIVE, { recheck: false, quarantine: false }),
};

/** A binary min-heap of [time, seq, host] events; seq keeps equal times in order. */
class Events {
  items = [];
  seq = 0;
  push(time, host) {
    const a = this.items;
    a.push([time, this.seq++, host]);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(a[p], a[i])) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop() {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l], a[m])) m = l;
        if (r < a.length && less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  get size() {
    return this.items.length;
  }
}
const less = (x, y) => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);

/** A FIFO of checking replicas wanted, { taskId, since }, taken by the first eligible host. */
class Wanted {
  items = [];
  head = 0;
  count = 0;
  push(taskId, since) {
    this.items.push({ taskId, since });
    this.count++;
  }
  get size() {
    return this.count;
  }
  /**
   * The first wanted task `ok` accepts, removed; -1 if none within the scan limit.
   * Entries `stale` says are no longer wanted (their task settled) are dropped on the way.
   */
  take(ok, stale) {
    const a = this.items;
    let found = -1;
    for (let i = this.head, seen = 0; i < a.length && seen < 2000; i++) {
      const e = a[i];
      if (e === null) continue;
      seen++;
      if (stale(e)) {
        a[i] = null;
        this.count--;
        continue;
      }
      if (!ok(e)) continue;
      a[i] = null;
      this.count--;
      found = e.taskId;
      break;
    }
    while (this.head < a.length && a[this.head] === null) this.head++;
    return found;
  }
}

/**
 * One seeded run: `tasks` tasks on `hosts` hosts, of which `saboteurs` × hosts cheat by
 * `model` at rate `s`, under the named policy. Returns the counts behind one table row.
 */
export function simulate({
  policy: policyName,
  model = 'naive',
  saboteurs = 0,
  s = 0.1,
  hosts: hostCount = 100,
  tasks: taskCount = 100_000,
  seed = 1,
}) {
  const policy = (POLICIES[policyName] ?? ABLATIONS[policyName])();
  const random = seededRandom(seed);
  const hosts = [];
  const bad = Math.round(hostCount * saboteurs);
  for (let h = 0; h < hostCount; h++) {
    hosts.push({
      id: h,
      saboteur: false,
      // Log-uniform between half and twice the mean speed.
      slowness: 2 ** (random() * 2 - 1),
      record: newValidationRecord(0),
      /** Results accepted since the last catch that a re-check would look at. */
      log: [],
      quarantined: false,
      idle: false,
      busy: null,
    });
  }
  // Saboteurs are spread over the ids, so no id range is special.
  for (let k = 0; k < bad; k++) hosts[Math.floor(((k + 0.5) * hostCount) / bad)].saboteur = true;
  const colludeSeed = Math.floor(random() * 2 ** 31);

  const tasks = [];
  let nextFresh = 0;
  let nextWrong = -2;
  const wanted = new Wanted();
  const events = new Events();
  let now = 0;
  let replicas = 0;
  let spotChecks = 0;
  let catches = 0;
  let reopened = 0;
  /** Honest replicas outvoted by a wrong quorum. */
  let honestInvalid = 0;
  let exonerated = 0;

  const cheats = (host, taskId) => {
    if (!host.saboteur) return false;
    if (model === 'colluding') return hash01(taskId, colludeSeed) < s;
    if (model === 'strategic' && !policy.trusted(host.record)) return false;
    if (model === 'patient' && policy.probability(host.record) > PATIENT_AT) return false;
    return random() < s;
  };
  const output = (host, taskId) => {
    if (!cheats(host, taskId)) return CORRECT;
    return model === 'colluding' ? COLLUDED : nextWrong--;
  };

  const holds = (task, hostId) => task.replicas.some((r) => r.host === hostId);
  const wake = () => {
    for (const h of hosts) {
      if (h.idle && !h.quarantined) {
        h.idle = false;
        events.push(now, h.id);
      }
    }
  };
  const want = (task, n) => {
    for (let i = 0; i < n; i++) wanted.push(task.id, now);
    if (n > 0) wake();
  };

  const start = (host, work) => {
    host.busy = work;
    replicas++;
    events.push(now + host.slowness * (0.5 + random()) * MEAN_TASK_MS, host.id);
  };

  /** A host asks for one replica: a checking replica it may take, a spot check, a fresh task. */
  const request = (host) => {
    if (host.quarantined) return;
    const freshLeft = nextFresh < taskCount;
    const eligible = (e) =>
      !holds(tasks[e.taskId], host.id) && policy.mayTake(host.record, e.since, now);
    const id = wanted.take(eligible, (e) => tasks[e.taskId].settled);
    if (id >= 0) {
      const task = tasks[id];
      task.replicas.push({ host: host.id, out: null, judged: null, discarded: false });
      start(host, { task: id, replica: task.replicas.length - 1 });
      return;
    }
    if (freshLeft && policy.spotCheck(host.record, random)) {
      spotChecks++;
      start(host, { knownAnswer: taskCount + spotChecks });
      return;
    }
    if (!freshLeft) {
      // Checking replicas this host may not take yet may become takeable: look again later.
      if (wanted.size > 0 && policy.retryAfter) events.push(now + policy.retryAfter, host.id);
      else host.idle = true;
      return;
    }
    const replicated = policy.replicate(host.record, random);
    const task = {
      id: nextFresh++,
      replicas: [{ host: host.id, out: null, judged: null, discarded: false }],
      redundancy: replicated ? 2 : 1,
      quorum: replicated ? 2 : 1,
      settled: false,
      reopened: false,
      canonical: null,
      everWrong: false,
    };
    tasks.push(task);
    start(host, { task: task.id, replica: 0 });
    if (replicated) want(task, 1);
  };

  const valid = (host, task, others) => {
    // Each simulated host is an account of its own: its agreeing partners are theirs.
    host.record = policy.confirmed(host.record, others);
    const confirmation = confirmationOf(others.map((h) => policy.trusted(hosts[h].record)));
    if (policy.recheck && confirmation !== 'trusted')
      host.log.push({ taskId: task.id, acceptedAt: now, confirmation });
  };

  /** An invalid result: the record resets, and under the adaptive rule the host's suspect results are reopened. */
  const invalid = (host) => {
    const before = host.record;
    host.record = recordInvalid(before, now, policy.forgiveAfter);
    if (host.saboteur) catches++;
    else honestInvalid++;
    if (!policy.actsOnCatch) return;
    if (policy.recheck) {
      const suspects = resultsToRecheck(before, host.log);
      for (const id of suspects) reopen(tasks[id], host.id);
    }
    host.log = [];
    if (policy.quarantine(host.record)) host.quarantined = true;
  };

  /** A re-check showed the host was right where it had been judged wrong. */
  const exonerate = (host) => {
    host.record = recordExonerated(host.record);
    exonerated++;
    if (host.quarantined && !policy.quarantine(host.record)) {
      host.quarantined = false;
      if (!host.busy) events.push(now, host.id);
    }
  };

  const reopen = (task, caughtHost) => {
    for (const r of task.replicas) if (r.host === caughtHost) r.discarded = true;
    if (!task.settled) return;
    reopened++;
    task.settled = false;
    task.reopened = true;
    task.redundancy = 2;
    task.quorum = 2;
    settle(task);
  };

  const settle = (task) => {
    const facts = [];
    for (let i = 0; i < task.replicas.length; i++) {
      const r = task.replicas[i];
      if (r.discarded) continue;
      facts.push({
        id: i,
        state: r.out === null ? 'in_progress' : 'reported',
        digest: r.out === null ? null : String(r.out),
      });
    }
    const d = decideTask(
      { redundancy: task.redundancy, quorum: task.quorum, maxErrors: 3, maxTotal: 8 },
      facts,
    );
    if (d.kind === 'continue') return want(task, d.create);
    task.settled = true;
    if (d.kind !== 'valid') {
      task.canonical = null;
      return;
    }
    task.canonical = Number(d.digest);
    if (task.canonical !== CORRECT) task.everWrong = true;
    if (task.redundancy === 1) {
      const r = task.replicas[d.canonicalId];
      if (r.judged === null) {
        r.judged = 'alone';
        const host = hosts[r.host];
        host.record = recordAlone(host.record);
        if (policy.recheck)
          host.log.push({ taskId: task.id, acceptedAt: now, confirmation: 'alone' });
      }
      return;
    }
    const group = d.validIds.map((i) => task.replicas[i].host);
    for (const i of d.validIds) {
      const r = task.replicas[i];
      const host = hosts[r.host];
      if (r.judged === 'valid') continue;
      if (r.judged === 'invalid') exonerate(host);
      else
        valid(
          host,
          task,
          group.filter((h) => h !== r.host),
        );
      r.judged = 'valid';
    }
    for (const i of d.invalidIds) {
      const r = task.replicas[i];
      if (r.judged === 'invalid') continue;
      r.judged = 'invalid';
      invalid(hosts[r.host]);
    }
  };

  /** A host finishes its replica: its output is compared, or the task settled meanwhile. */
  const finish = (host) => {
    const work = host.busy;
    host.busy = null;
    if (work.knownAnswer !== undefined) {
      if (output(host, work.knownAnswer) === CORRECT)
        host.record = policy.confirmed(host.record, []);
      else invalid(host);
      return;
    }
    const task = tasks[work.task];
    const r = task.replicas[work.replica];
    r.out = output(host, task.id);
    if (r.discarded) return;
    if (task.settled) {
      // A straggler: judged against the result that already stands.
      r.judged = r.out === task.canonical ? 'valid' : 'invalid';
      if (r.judged === 'valid') valid(host, task, []);
      else invalid(host);
      return;
    }
    if (task.redundancy === 1 && !policy.acceptAlone(host.record)) {
      // Sent alone while trusted, but caught since: compare it after all.
      task.redundancy = 2;
      task.quorum = 2;
    }
    settle(task);
  };

  for (const h of hosts) events.push(0, h.id);
  while (events.size > 0) {
    const [time, , id] = events.pop();
    now = time;
    const host = hosts[id];
    if (host.busy) finish(host);
    if (!host.busy) request(host);
  }

  let wrong = 0;
  let everWrong = 0;
  let unsettled = 0;
  for (const t of tasks) {
    if (!t.settled || t.canonical === null) unsettled++;
    else if (t.canonical !== CORRECT) wrong++;
    if (t.everWrong) everWrong++;
  }
  const saboteurHosts = hosts.filter((h) => h.saboteur);
  return {
    tasks: tasks.length,
    replicas,
    spotChecks,
    wrong,
    everWrong,
    unsettled,
    catches,
    reopened,
    saboteurs: saboteurHosts.length,
    quarantined: saboteurHosts.filter((h) => h.quarantined).length,
    honestInvalid,
    exonerated,
    honestQuarantined: hosts.filter((h) => !h.saboteur && h.quarantined).length,
    virtualTime: now,
  };
}

/** A uniform number in [0, 1) from a task id, the same for every colluder. */
function hash01(x, seed) {
  let h = Math.imul(x ^ seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}
