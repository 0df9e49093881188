/**
 * @module
 * `anygrid serve`: runs a coordinator in this process. With `--dev` (what `npm start`
 * runs) it also keeps a requester and a provider token in the data directory and runs
 * `--agents` local providers, two by default because a task's replicas never share a
 * host, so redundancy 2 can validate on one machine. Each local provider has an account
 * of its own (dev-provider-N, token in DIR/provider-N.token; the first one's is
 * DIR/provider.token), since two hosts of one account never share a task.
 */

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Coordinator } from '@anygrid/coordinator';
import {
  type DailyQuotaParams,
  DEFAULT_DAILY_QUOTA,
  NETWORK_RULES,
  type NetworkRule,
} from '@anygrid/coordinator/policy';
import { DEFAULT_URL } from '@anygrid/sdk';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { AgentSupervisor } from '../agent-supervisor.js';
import { CliError } from '../cli-error.js';
import { addJsonOption } from '../client-options.js';
import { durationOption, retentionOption } from '../duration-option.js';
import { logLevelOption } from '../log-level-option.js';
import { intOption, numberOption } from '../options.js';
import { printJson, println } from '../output.js';
import { ensureTokenFile } from '../token-files.js';
import { DEFAULT_WEB_DIR, pageBuilt } from '../web-dir.js';

/** How long `--dev` waits for its providers to join before printing the next step. */
const AGENTS_READY_MS = 20_000;

interface ServeFlags {
  data: string;
  store?: string;
  port: number;
  host: string;
  dev?: boolean;
  agents: number;
  logLevel: string;
  json?: boolean;
  networkRule: NetworkRule;
  maxHostsPerAccount?: number;
  dailyQuota?: number;
  dailyQuotaMax?: number;
  feePercent?: number;
  slashPercent?: number;
  assumedBandwidth?: number;
  retention: number | null;
  archiveDir?: string;
  janitorInterval?: number;
  blobGrace?: number;
  heartbeatMs?: number;
  missedHeartbeats?: number;
  strandedSeconds?: number;
  maxBufferSeconds?: number;
  webDir: string;
  volunteerSignups?: number;
  blobs?: string;
  discoveryMs?: number;
  leaderLeaseMs?: number;
}

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .summary('run a coordinator (with --dev: plus local providers)')
    .description(
      'Run a coordinator storing its database, blobs and admin token in DIR. ' +
        'With --dev, also create (once) DIR/requester.token and DIR/provider.token and run ' +
        '--agents local providers, restarted if they die. Stop with Ctrl-C.',
    )
    .option('--data <dir>', 'data directory', './.anygrid')
    .addOption(
      new Option(
        '--store <url-or-file>',
        'the store: postgres://user@host:port/db[?schema=name] (several coordinators may ' +
          'share it, see docs/scale-out.md) or an SQLite file (default DIR/anygrid.db)',
      ).env('ANYGRID_STORE'),
    )
    .option('--port <n>', 'TCP port (0: any free port)', intOption(0, 65535), 7070)
    .option('--host <addr>', 'interface to listen on', '127.0.0.1')
    .option('--dev', 'also run local providers and create dev tokens')
    .option('--agents <n>', 'local providers with --dev', intOption(0, 64), 2)
    .addOption(
      new Option(
        '--network-rule <which>',
        "keep a task's replicas off two hosts of one IPv4 /24 or IPv6 /48: for public " +
          'addresses only (loopback and private ranges exempt), all addresses, or off',
      )
        .choices(NETWORK_RULES)
        .default('public')
        .env('ANYGRID_NETWORK_RULE'),
    )
    .addOption(
      new Option(
        '--max-hosts-per-account <n>',
        'hosts seen in the last day one account may have (default 100)',
      )
        .argParser(intOption(1))
        .env('ANYGRID_MAX_HOSTS_PER_ACCOUNT'),
    )
    .addOption(
      new Option(
        '--daily-quota <n>',
        `replicas a new host may be sent per UTC day; halved per error or timeout, doubled per accepted result (default ${DEFAULT_DAILY_QUOTA.initial})`,
      )
        .argParser(intOption(1))
        .env('ANYGRID_DAILY_QUOTA'),
    )
    .addOption(
      new Option(
        '--daily-quota-max <n>',
        `highest daily quota accepted results raise a host to (default ${DEFAULT_DAILY_QUOTA.max})`,
      )
        .argParser(intOption(1))
        .env('ANYGRID_DAILY_QUOTA_MAX'),
    )
    .addOption(
      new Option(
        '--fee-percent <percent>',
        "platform fee on each payment of a paid job, percent of the host's ask (docs/incentives.md; default 5)",
      )
        .argParser(percentOption)
        .env('ANYGRID_FEE_PERCENT'),
    )
    .addOption(
      new Option(
        '--slash-percent <percent>',
        "share of a staked host's stake each invalid result of it costs (default 10)",
      )
        .argParser(percentOption)
        .env('ANYGRID_SLASH_PERCENT'),
    )
    .addOption(
      new Option(
        '--assumed-bandwidth <bytes-per-s>',
        "providers' download speed assumed when choosing between waiting for a host that " +
          "holds a task's large inputs and sending them to another (default 5000000)",
      )
        .argParser(intOption(1))
        .env('ANYGRID_ASSUMED_BANDWIDTH'),
    )
    .addOption(
      new Option(
        '--retention <duration>',
        'purge a finished job (tasks, results, events, blobs no other job uses) this long ' +
          'after it finished, e.g. 7d, 12h, 30s; 0 or off: keep everything',
      )
        .argParser(retentionOption)
        .default(retentionOption('7d'), '7d')
        .env('ANYGRID_RETENTION'),
    )
    .addOption(
      new Option(
        '--archive-dir <dir>',
        "write each job's results to DIR/job-<id>.jsonl before purging it",
      ).env('ANYGRID_ARCHIVE_DIR'),
    )
    .addOption(
      new Option(
        '--janitor-interval <duration>',
        'how often to look for jobs to purge (default 60s)',
      )
        .argParser(durationOption)
        .env('ANYGRID_JANITOR_INTERVAL'),
    )
    .addOption(
      new Option(
        '--blob-grace <duration>',
        'keep a blob no job uses this long after its last upload (default 1h)',
      )
        .argParser(durationOption)
        .env('ANYGRID_BLOB_GRACE'),
    )
    .option(
      '--heartbeat-ms <ms>',
      'how often providers renew their leases (default 30000)',
      intOption(100, 3_600_000),
    )
    .option(
      '--missed-heartbeats <n>',
      'heartbeats a provider may miss before its replicas go to other hosts (default 3)',
      intOption(1, 1000),
    )
    .option(
      '--stranded-seconds <s>',
      'how long a task failed on every connected host it may run on waits for a new host ' +
        'before it fails with no_eligible_host (default 60)',
      numberOption(0.1),
    )
    .option(
      '--max-buffer-seconds <s>',
      'most estimated seconds of work per slot a provider may hold, whatever it asks (default 600)',
      numberOption(0.001),
    )
    .option(
      '--web-dir <dir>',
      'the built web pages served at /volunteer and /dashboard (npm run build makes them)',
      DEFAULT_WEB_DIR,
    )
    .addOption(
      new Option(
        '--blobs <dir>',
        'blob folder (default DIR/blobs); coordinators sharing one store share one folder',
      ).env('ANYGRID_BLOBS'),
    )
    .option(
      '--discovery-ms <ms>',
      'how often the store is polled for work other coordinators on it made ready (default 300)',
      intOption(10, 60_000),
    )
    .option(
      '--leader-lease-ms <ms>',
      'how long the leader lease (the sweeps that run on one coordinator) lasts unless ' +
        'renewed; it moves to another coordinator this long after its holder dies (default 10000)',
      intOption(100, 3_600_000),
    )
    .option(
      '--volunteer-signups <n>',
      'anonymous provider accounts (the volunteer page) one address may make per hour (default 20)',
      intOption(1),
    )
    .addOption(logLevelOption('coordinator'));
  addJsonOption(cmd).action((flags: ServeFlags) => serve(flags));
}

/** The daily quota's bounds from the flags, checked against each other; undefined: the defaults. */
/** A percentage from 0 to 100, to two decimals (fees and slashes are counted in basis points). */
function percentOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100 || Math.round(n * 100) !== n * 100) {
    throw new InvalidArgumentError(
      'a percentage from 0 to 100, at most two decimals, like 5 or 2.5',
    );
  }
  return n;
}

function dailyQuotaOf(flags: ServeFlags): DailyQuotaParams | undefined {
  if (flags.dailyQuota === undefined && flags.dailyQuotaMax === undefined) return undefined;
  const initial = flags.dailyQuota ?? DEFAULT_DAILY_QUOTA.initial;
  const max = flags.dailyQuotaMax ?? Math.max(initial, DEFAULT_DAILY_QUOTA.max);
  if (initial > max) {
    throw new CliError(
      'USAGE',
      `--daily-quota ${initial} is above --daily-quota-max ${max}`,
      "lower --daily-quota or raise --daily-quota-max: a new host's quota must be one it may keep",
      2,
    );
  }
  return { ...DEFAULT_DAILY_QUOTA, initial, max };
}

async function serve(flags: ServeFlags): Promise<void> {
  process.env.ANYGRID_LOG_LEVEL = flags.logLevel;
  const { startCoordinator, WEB_PAGES, describeStore } = await import('@anygrid/coordinator');
  const coord = await startCoordinator({
    dataDir: flags.data,
    ...(flags.store === undefined ? {} : { store: flags.store }),
    port: flags.port,
    host: flags.host,
    networkRule: flags.networkRule,
    maxHostsPerAccount: flags.maxHostsPerAccount,
    dailyQuota: dailyQuotaOf(flags),
    ...(flags.feePercent === undefined ? {} : { feePercent: flags.feePercent }),
    ...(flags.slashPercent === undefined ? {} : { slashPercent: flags.slashPercent }),
    assumedBandwidth: flags.assumedBandwidth,
    retentionMs: flags.retention,
    archiveDir: flags.archiveDir,
    janitorIntervalMs: flags.janitorInterval,
    blobGraceMs: flags.blobGrace,
    ...(flags.heartbeatMs === undefined ? {} : { heartbeatMs: flags.heartbeatMs }),
    ...(flags.missedHeartbeats === undefined ? {} : { missedHeartbeats: flags.missedHeartbeats }),
    ...(flags.strandedSeconds === undefined
      ? {}
      : { strandedMs: Math.round(flags.strandedSeconds * 1000) }),
    ...(flags.maxBufferSeconds === undefined ? {} : { maxBufferSeconds: flags.maxBufferSeconds }),
    webDir: flags.webDir,
    ...(flags.blobs === undefined ? {} : { blobsDir: flags.blobs }),
    ...(flags.discoveryMs === undefined ? {} : { discoveryMs: flags.discoveryMs }),
    ...(flags.leaderLeaseMs === undefined ? {} : { leaderLeaseMs: flags.leaderLeaseMs }),
    ...(flags.volunteerSignups === undefined
      ? {}
      : { volunteerSignupsPerHour: flags.volunteerSignups }),
  });
  // The dashboard is served by its own route (a content security policy, links under it).
  const pages = [...WEB_PAGES, 'dashboard'].map((page) => ({
    page,
    url: `${coord.url}/${page}`,
    built: pageBuilt(flags.webDir, page),
  }));
  let dev: { agents: AgentSupervisor; requesterTokenPath: string } | undefined;
  try {
    if (flags.dev) dev = await startDev(flags, coord);
  } catch (err) {
    await coord.close();
    throw err;
  }
  const agents = dev?.agents;
  const requesterTokenPath = dev?.requesterTokenPath;
  // A clean stop gives the lease back: not news, and not the lease running out.
  let closing = false;
  const stopped = onShutdown(Boolean(flags.json), async () => {
    closing = true;
    await agents?.stop();
    await coord.close();
  });

  // Each time this coordinator gains or loses the leader lease (several share the store):
  // a JSON line of its own with --json, a line for people otherwise. Listened to once the
  // first line is out: with --json, that one describes the start.
  const announceLeadership = (s: ReturnType<typeof coord.leadership>) => {
    if (closing) return;
    if (flags.json) printJson({ event: 'leadership', ...s });
    else
      println(
        s.leader
          ? `now ${leaderText(s)}`
          : s.leaderHolder && s.leaderHolder !== s.holder
            ? `no longer the leader (${s.leaderHolder} is)`
            : 'no longer the leader: the lease ran out before it was renewed',
      );
  };
  if (flags.json) {
    printJson({
      url: coord.url,
      adminTokenPath: coord.adminTokenPath,
      // Shown once, at the start that created it; afterwards only the file has it.
      ...(coord.adminTokenCreated ? { adminToken: coord.adminToken } : {}),
      ...(requesterTokenPath
        ? { requesterTokenPath, providerTokenPath: join(flags.data, 'provider.token') }
        : {}),
      pages: Object.fromEntries(pages.map((p) => [p.page, p.url])),
      // Which coordinator this is among those sharing the store, and whether it leads now.
      holder: coord.leadership().holder,
      leader: coord.leadership().leader,
    });
    coord.onLeadershipChange(announceLeadership);
    // A reader that took the first line and went away is no reason for a coordinator to
    // stop: later lines are dropped instead of ending the process (the CLI's EPIPE rule).
    process.stdout.removeAllListeners('error');
    process.stdout.on('error', () => {});
  } else {
    println(`anygrid coordinator listening on ${coord.url}`);
    // Where it stands at start; each change after it is a line of its own.
    const start = coord.leadership();
    coord.onLeadershipChange(announceLeadership);
    println(`  data         ${flags.data}`);
    if (flags.store !== undefined) println(`  store        ${describeStore(flags.store)}`);
    println(`  coordinator  ${start.holder}, ${leaderText(start)}`);
    for (const p of pages) {
      println(
        `  ${p.page.padEnd(12)} ${p.built ? p.url : `${p.url} (not built: run \`npm run build\`)`}`,
      );
    }
    if (coord.adminTokenCreated) {
      println(`  admin token  ${coord.adminToken}`);
      println(
        `               (new; saved to ${coord.adminTokenPath}, mode 600 — it is shown only this once)`,
      );
    } else {
      println(`  admin token  in ${coord.adminTokenPath}`);
    }
    if (agents && requesterTokenPath) {
      // The next step is only worth pasting once providers are there to run it.
      const joined = await agents.whenJoined(AGENTS_READY_MS);
      println(
        `  providers    ${joined}/${flags.agents} local agent(s) joined` +
          (joined < flags.agents ? ' (the others are still starting)' : ''),
      );
      println('');
      println('next, in another terminal:');
      println(`  export ANYGRID_URL=${coord.url} ANYGRID_TOKEN=$(cat ${requesterTokenPath})`);
      println('  npx anygrid submit examples/prime.wasm --wait -- 0 100000');
      println(
        '  from TypeScript: see "Submit from TypeScript" in README.md (API: packages/sdk/README.md)',
      );
      const volunteer = pages.find((p) => p.page === 'volunteer' && p.built);
      if (volunteer) println(`  or lend a browser's compute: open ${volunteer.url}`);
      const dashboard = pages.find((p) => p.page === 'dashboard' && p.built);
      if (dashboard)
        println(`  watch it live: open ${dashboard.url} and paste the requester token`);
    } else {
      println('');
      println(
        `next: create a requester token with \`npx anygrid token create --role requester --data ${flags.data}${coord.url === DEFAULT_URL ? '' : ` --url ${coord.url}`}\``,
      );
    }
  }
  await stopped;
}

/** `the leader (term 1)`, or who is. */
function leaderText(s: ReturnType<Coordinator['leadership']>): string {
  if (s.leader) return `the leader (term ${s.term}): the sweeps and the janitor run here`;
  return s.leaderHolder ? `not the leader (${s.leaderHolder} is)` : 'not the leader (none yet)';
}

/** Runs `cleanup` on the first SIGINT/SIGTERM (a second one exits at once); resolves after. */
function onShutdown(quiet: boolean, cleanup: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      if (!quiet) process.stderr.write(`${signal}: shutting down…\n`);
      void cleanup().finally(resolve);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}

/** Dev tokens (created once) and the supervised local providers. */
async function startDev(
  flags: ServeFlags,
  coord: Coordinator,
): Promise<{ agents: AgentSupervisor; requesterTokenPath: string }> {
  const requester = await ensureTokenFile(flags.data, 'requester', coord.url, 'requester', () =>
    coord.createToken('requester', 'dev'),
  );
  // One account per local provider: hosts of one account never share a task, so the
  // README's redundancy-2 example needs two owners to validate.
  // DIR/provider.token is made even with --agents 0 (as --help says), for a provider
  // the user starts by hand with `anygrid provide --token-file`.
  const providerTokens: string[] = [];
  for (let i = 1; i <= Math.max(1, flags.agents); i++) {
    const file = i === 1 ? 'provider' : `provider-${i}`;
    const account = i === 1 ? 'dev' : `dev-provider-${i}`;
    const t = await ensureTokenFile(flags.data, file, coord.url, 'provider', () =>
      coord.createToken('provider', account),
    );
    providerTokens.push(t.token);
  }
  // Split the cores between the agents rather than oversubscribing them.
  const slots = Math.max(1, Math.floor(availableParallelism() / Math.max(1, flags.agents)));
  const agents = new AgentSupervisor(
    providerTokens.slice(0, flags.agents).map((token, i) => ({
      name: `dev-agent-${i + 1}`,
      coordinator: coord.url,
      token,
      slots,
      cacheDir: join(flags.data, 'agents', `dev-agent-${i + 1}`),
    })),
    flags.logLevel,
  );
  agents.start();
  return { agents, requesterTokenPath: requester.path };
}
