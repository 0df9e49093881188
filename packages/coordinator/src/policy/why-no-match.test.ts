import { describe, expect, it } from 'vitest';
import type { HostCapabilities } from './host-match.js';
import { bytesText, type DiagnosedHost, diagnose } from './why-no-match.js';

const GiB = 1024 ** 3;

/** Each host of its own account unless a test says otherwise. */
let nextAccount = 1;

function host(caps: Partial<HostCapabilities>, more: Partial<DiagnosedHost> = {}): DiagnosedHost {
  return {
    caps: {
      platform: 'linux-x64',
      cores: 4,
      memoryBytes: 16 * GiB,
      freeDiskBytes: null,
      speed: null,
      accelerators: [],
      region: null,
      reputation: 0.5,
      asks: { cpuSecond: 0, memGiBSecond: 0, gpuSecond: 0 },
      stake: 0,
      ...caps,
    },
    slots: 2,
    quarantined: false,
    quotaLeft: 100,
    higherPriority: 0,
    refusedModule: false,
    account: nextAccount++,
    network: null,
    ...more,
  };
}

const TASKS = { total: 10, settled: 0, queued: 10, running: 0, waitingForParents: 0 };

describe('diagnose', () => {
  it('counts the hosts failing a requirement and names the largest there is', () => {
    const hosts = [host({}), host({ memoryBytes: 8 * GiB }), host({ memoryBytes: 2 * GiB })];
    const d = diagnose({
      requirements: { minMemoryBytes: 32 * GiB },
      deadlineMs: 600_000,
      size: {},
      hosts,
      tasks: TASKS,
    });
    expect(d.hosts).toMatchObject({ connected: 3, eligible: 0 });
    expect(d.requirements).toEqual([
      {
        requirement: 'minMemoryBytes',
        wanted: '≥ 32 GiB memory',
        failing: 3,
        connected: 3,
        message: '0 of 3 connected hosts have ≥ 32 GiB memory (largest: 16 GiB).',
      },
    ]);
    expect(d.messages).toEqual([
      'No connected host may run this job:',
      '0 of 3 connected hosts have ≥ 32 GiB memory (largest: 16 GiB).',
    ]);
  });

  it('says when eligible hosts are all busy with higher-priority work or quarantined', () => {
    const hosts = [
      host({ region: 'eu-west' }, { higherPriority: 2 }),
      host({ region: 'eu-west' }, { higherPriority: 2 }),
      host({ region: 'eu-west' }, { quarantined: true }),
      host({ region: 'us-east' }),
    ];
    const d = diagnose({
      requirements: { regions: ['eu-west'] },
      deadlineMs: 600_000,
      size: {},
      hosts,
      tasks: TASKS,
    });
    expect(d.hosts).toEqual({
      connected: 4,
      eligible: 3,
      quarantined: 1,
      quotaExhausted: 0,
      busyWithHigherPriority: 2,
      // The two eligible hosts neither quarantined nor out of quota, each of its own account.
      accounts: 2,
    });
    expect(d.messages.join(' ')).toMatch(
      /3 connected hosts meet .* none can take .* 1 quarantined.* 2 busy with higher-priority work/,
    );
  });

  it('treats the deadline as a requirement once hosts’ runtimes can be estimated', () => {
    const hosts = [host({ speed: 1e9 }), host({ speed: 4e9 }), host({ speed: null })];
    const d = diagnose({
      deadlineMs: 5_000,
      size: { estimatedOps: 1e10 },
      hosts,
      tasks: TASKS,
    });
    // 10 s and 2.5 s; the host of unknown speed is not ruled out.
    expect(d.requirements).toHaveLength(1);
    expect(d.requirements[0]).toMatchObject({ requirement: 'deadline', failing: 1, connected: 3 });
    expect(d.requirements[0]?.message).toContain('the fastest would take 2.5 s');
    expect(d.hosts.eligible).toBe(2);
  });

  it('says no host is connected, and that some tasks wait for parents', () => {
    const d = diagnose({
      deadlineMs: 600_000,
      size: {},
      hosts: [],
      tasks: { ...TASKS, queued: 4, waitingForParents: 6 },
    });
    expect(d.messages).toEqual([
      '6 tasks wait for the tasks they depend on to end valid.',
      'No host is connected: start one with `anygrid provide --token-file provider.token`.',
    ]);
  });

  it('reports hosts that refused a signed module', () => {
    const d = diagnose({
      deadlineMs: 600_000,
      size: {},
      hosts: [host({}, { refusedModule: true }), host({})],
      tasks: TASKS,
      publicKey: 'ed25519:abc',
    });
    expect(d.signature?.message).toContain('1 of 2 connected hosts refused the module');
  });

  it('writes byte sizes in binary units', () => {
    expect([bytesText(8 * GiB), bytesText(1.5 * GiB), bytesText(512)]).toEqual([
      '8 GiB',
      '1.5 GiB',
      '512 bytes',
    ]);
  });
});

describe('diagnose prices', () => {
  const ceiling = { cpuSecond: 3, memGiBSecond: 0, gpuSecond: 0 };
  const pricing = { ceiling, tier: 'standard' as const };

  it('says when every connected host asks more than the ceiling, with the cheapest ask', () => {
    const d = diagnose({
      deadlineMs: 60_000,
      size: {},
      pricing,
      hosts: [
        host({ asks: { cpuSecond: 5, memGiBSecond: 0, gpuSecond: 0 } }),
        host({ asks: { cpuSecond: 9, memGiBSecond: 1, gpuSecond: 0 } }),
      ],
      tasks: TASKS,
    });
    expect(d.hosts.eligible).toBe(0);
    const check = d.requirements.find((c) => c.requirement === 'price');
    expect(check?.failing).toBe(2);
    expect(check?.message).toContain('cheapest ask: 5 µ/CPU-s');
    expect(d.messages.join(' ')).toContain('every connected host asks more than the ceiling');
  });

  it('counts volunteers and cheap hosts as eligible for a paid job', () => {
    const d = diagnose({
      deadlineMs: 60_000,
      size: {},
      pricing,
      hosts: [host({}), host({ asks: { cpuSecond: 3, memGiBSecond: 0, gpuSecond: 0 } })],
      tasks: TASKS,
    });
    expect(d.hosts.eligible).toBe(2);
    expect(d.requirements.find((c) => c.requirement === 'price')?.failing).toBe(0);
  });

  it('says nothing of prices for a free job on a volunteer grid, and names hosts asking a price', () => {
    const free = diagnose({ deadlineMs: 60_000, size: {}, hosts: [host({})], tasks: TASKS });
    expect(free.requirements.some((c) => c.requirement === 'price')).toBe(false);
    const d = diagnose({
      deadlineMs: 60_000,
      size: {},
      hosts: [host({ asks: { cpuSecond: 1, memGiBSecond: 0, gpuSecond: 0 } })],
      tasks: TASKS,
    });
    expect(d.hosts.eligible).toBe(0);
    // One host asking: said of one host.
    expect(d.messages.join(' ')).toContain(
      '0 of 1 connected hosts ask nothing; 1 asks a price and runs only paid jobs: give the job a price ceiling (`anygrid submit --ceiling-cpu`, or policy.pricing) to use it.',
    );
  });

  it('says when the hosts that may run a compared job are too few accounts or networks for its quorum', () => {
    const apart = (hosts: DiagnosedHost[], needed = 2, share = 1) =>
      diagnose({
        deadlineMs: 600_000,
        size: {},
        hosts,
        tasks: TASKS,
        keptApart: { hosts: needed, share },
      });
    // Two hosts of one account: each task gets one replica, and its quorum is 2.
    const oneAccount = apart([host({}, { account: 7 }), host({}, { account: 7 })]);
    expect(oneAccount.hosts).toMatchObject({ eligible: 2, accounts: 1 });
    expect(oneAccount.messages).toEqual([
      'Each task needs 2 hosts of different accounts to settle (hosts of one account never share a task), but the 2 connected hosts that may run it belong to 1 account: connect providers of other accounts, each with a provider token of its own (`anygrid token create --role provider`).',
    ]);
    // A quarantined host of another account does not count.
    const quarantined = apart([
      host({}, { account: 7 }),
      host({}, { account: 8, quarantined: true }),
    ]);
    expect(quarantined.hosts.accounts).toBe(1);
    expect(quarantined.messages.some((m) => m.includes('different accounts'))).toBe(true);
    // Two accounts on one public network.
    const oneNetwork = apart([
      host({}, { network: '203.0.113' }),
      host({}, { network: '203.0.113' }),
    ]);
    expect(oneNetwork.messages).toEqual([
      'Each task needs 2 hosts on different networks to settle (hosts of one network never share a task), but the 2 connected hosts that may run it are on 1 network: connect providers elsewhere, or start the coordinator with `--network-rule` to change what counts as one network.',
    ]);
    // A spot-check job: only the tasks drawn for a check need another account's host.
    const drawn = apart([host({}, { account: 7 })], 2, 0.05);
    expect(drawn.messages).toEqual([
      'The tasks drawn for a check (5 % of them) need 2 hosts of different accounts to settle (hosts of one account never share a task), but the 1 connected host that may run it belongs to 1 account: connect providers of other accounts, each with a provider token of its own (`anygrid token create --role provider`).',
    ]);
    // Enough of both, or a job that keeps nothing apart: nothing to say.
    expect(apart([host({}), host({}), host({})], 3).messages).toEqual([]);
    expect(apart([host({}, { account: 7 }), host({}, { account: 7 })], 1).messages).toEqual([]);
    expect(apart([host({}, { account: 7 })], 3).hosts.accounts).toBe(1);
  });
});
