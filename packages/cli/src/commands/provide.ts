/**
 * @module
 * `anygrid provide`: lends this machine to a coordinator by running the provider agent
 * in this process until Ctrl-C, which stops it gracefully (running tasks are handed back).
 * The token comes from `--token-file` or ANYGRID_TOKEN (or `--token`, which `ps` shows to
 * every user). A person sees `joined …` and one status line; the agent's JSON log goes to
 * stderr from `--log-level` up (`warn`, as `serve`), and `--json` prints JSON lines only.
 */

import { readFile } from 'node:fs/promises';
import {
  AnygridError,
  type AsksInput,
  ErrorCode,
  isPublicKeyText,
  Region,
} from '@anygrid/protocol';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { CliError, usageError } from '../cli-error.js';
import { addJsonOption, coordinatorUrl } from '../client-options.js';
import { creditsOption } from '../credit-amount.js';
import { durationOption } from '../duration-option.js';
import { logLevelOption } from '../log-level-option.js';
import { collect, intOption, numberOption } from '../options.js';
import { printJson } from '../output.js';
import { createProviderLog } from '../provider-log.js';
import { StatusLine, statusText } from '../provider-status.js';
import { readKeyList } from '../signing-files.js';

interface ProvideFlags {
  coordinator?: string;
  /** `--url`, the name other commands give --coordinator. */
  url?: string;
  token?: string;
  tokenFile?: string;
  slots?: number;
  name?: string;
  cache?: string;
  trustKey?: string[];
  trustFile?: string;
  requireSigned?: boolean;
  pinPublishers: boolean;
  pins?: string;
  statsInterval: number;
  checkpointInterval: number;
  checkpointMaxMib: number;
  bufferMinSeconds?: number;
  bufferMaxSeconds?: number;
  region?: string;
  askCpu?: number;
  askMem?: number;
  askGpu?: number;
  benchmark: boolean;
  benchmarkInterval?: number;
  allowNative?: boolean;
  logLevel: string;
  json?: boolean;
}

/** The host's asks from `--ask-*`, when any was given (else it asks zero: a volunteer). */
function asksOf(flags: ProvideFlags): { asks?: AsksInput } {
  if (flags.askCpu === undefined && flags.askMem === undefined && flags.askGpu === undefined) {
    return {};
  }
  return {
    asks: {
      cpuSecond: flags.askCpu ?? 0,
      memGiBSecond: flags.askMem ?? 0,
      gpuSecond: flags.askGpu ?? 0,
    },
  };
}

/** `--region`: what the coordinator accepts, or a usage error saying what is. */
function regionOption(value: string): string {
  if (!Region.safeParse(value).success) {
    throw new InvalidArgumentError(
      'expected lower-case letters, digits and dashes (at most 40), like eu-west',
    );
  }
  return value;
}

/** A coordinator that is not up yet is said again at most this often. */
const WAITING_NOTE_EVERY_MS = 30_000;

/** How often the status line is redrawn in a terminal. */
const TERMINAL_REFRESH_MS = 1000;

export function registerProvide(program: Command): void {
  const cmd = program
    .command('provide')
    .summary('run tasks for a coordinator on this machine')
    .description(
      'Join a coordinator as a provider host and run its tasks in the WASI sandbox until ' +
        'stopped. Ctrl-C (or SIGTERM) stops gracefully: running tasks are handed back. ' +
        'A terminal shows one status line (tasks done, running, failed, last warning or error); ' +
        '--json prints JSON lines instead.',
    )
    .addOption(
      new Option(
        '--coordinator <url>',
        'coordinator URL; or several sharing one store, comma-separated, tried in turn ' +
          'when the current one stops answering',
      )
        .env('ANYGRID_URL')
        .argParser(coordinatorUrls),
    )
    // Every other command names the coordinator --url: a provider typing it is understood.
    .addOption(
      new Option('--url <url>', 'the same as --coordinator').argParser(coordinatorUrls).hideHelp(),
    )
    .addOption(
      new Option(
        '--token <token>',
        'provider token; `ps` shows it to other users: prefer --token-file or the env',
      ).env('ANYGRID_TOKEN'),
    )
    .option('--token-file <path>', 'read the provider token from a file (mode 600)')
    .option('--slots <n>', 'tasks run at once (default: CPU cores)', intOption(1, 1024))
    .option('--name <name>', 'host name shown to the coordinator')
    .option(
      '--cache <dir>',
      'keep cached modules, inputs, this host id, and results and work not yet reported (offline work) in DIR across restarts',
    )
    .option(
      '--trust-key <key>',
      'trust module signatures by this public key, ed25519:... (repeatable)',
      collect,
    )
    .option('--trust-file <file>', 'trust the keys in FILE, one ed25519:... per line (# comments)')
    .option(
      '--require-signed',
      'run only modules signed by a trusted or pinned key (a new publisher is pinned at first use)',
    )
    .option(
      '--no-pin-publishers',
      'do not pin a publisher to the first key seen signing for it (trust --trust-key keys only)',
    )
    .option(
      '--pins <file>',
      'publisher pins file (default: publisher-pins.json in --cache; else kept in memory)',
    )
    .option(
      '--checkpoint-interval <seconds>',
      "send a running task's checkpoint to the coordinator at most this often (0: never)",
      numberOption(0),
      10,
    )
    .option(
      '--checkpoint-max-mib <n>',
      'largest checkpoint sent, in MiB (a larger one is not sent)',
      intOption(1, 64),
      64,
    )
    .option(
      '--buffer-min-seconds <s>',
      'work to keep buffered per slot, in estimated seconds (default 1)',
      numberOption(0.001),
    )
    .option(
      '--buffer-max-seconds <s>',
      'most work the coordinator may send per slot, in estimated seconds (default 2; it caps it too)',
      numberOption(0.001),
    )
    .option(
      '--region <region>',
      'the region this host declares, like eu-west (jobs may ask for regions)',
      regionOption,
    )
    .option(
      '--ask-cpu <credits>',
      'what this host asks per normalized CPU-second, in credits (default 0: a volunteer; docs/incentives.md)',
      creditsOption,
    )
    .option(
      '--ask-mem <credits>',
      'what it asks per GiB-second of memory, in credits (default 0)',
      creditsOption,
    )
    .option(
      '--ask-gpu <credits>',
      'what it asks per GPU-second, in credits (default 0)',
      creditsOption,
    )
    .option(
      '--benchmark-interval <duration>',
      'run the speed benchmark again this often while idle, e.g. 1h or 30m (0: only at start; default 1h)',
      durationOption,
    )
    .option(
      '--no-benchmark',
      'skip the speed benchmark (about 0.3 s at start): the host reports no speed',
    )
    .option(
      '--allow-native',
      'also run native builds of this platform (job variants) under bubblewrap: no network, read-only system, private dir, limits (docs/variants.md)',
    )
    .option(
      '--stats-interval <ms>',
      'how often to print the status when not in a terminal (on change)',
      intOption(100),
      10_000,
    )
    .addOption(logLevelOption('agent'))
    .addHelpText(
      'after',
      '\nThe token: --token-file FILE, or ANYGRID_TOKEN in the environment; --token T works\n' +
        'too, but puts the token where every user of the machine sees it (`ps`).\n' +
        '\nSigned modules: the agent checks every module against its hash and verifies its\n' +
        'signature itself. A module signed by a --trust-key key runs; a publisher named in a\n' +
        'signature is pinned to its key at first use and another key for it is refused later.\n' +
        'Unsigned modules run unless --require-signed. Pinning trusts a first use: a module\n' +
        'signed by any key for a publisher not seen yet runs, even with --require-signed; add\n' +
        '--no-pin-publishers to run only --trust-key keys. A refused module is reported as\n' +
        'module_hash_mismatch or module_signature_refused and does not count against this host.\n' +
        '\nNative code: with --allow-native the agent checks at start that bubblewrap (bwrap)\n' +
        'and prlimit work, then also runs native builds of this platform that jobs offer\n' +
        '(variants), each under bubblewrap with no network, a read-only system, a private\n' +
        'working directory and limits on CPU, memory, file size and processes. Without\n' +
        'bubblewrap it says why and runs WebAssembly only (Debian: apt-get install bubblewrap).\n' +
        '\nCheckpoints: a program that saves its state to /checkpoint/state (docs/checkpoints.md)\n' +
        'has it sent every --checkpoint-interval seconds; if this host stops, another host\n' +
        'resumes the task from there instead of from the start.\n' +
        '\nCapabilities: at start the agent runs a short standard WASM benchmark (its speed\n' +
        'in ops/s, comparable across hosts), measures the free disk of --cache (or the temp\n' +
        'dir) and asks nvidia-smi for NVIDIA GPUs, if it is installed; it reports them with\n' +
        'cores, memory and --region, and again in heartbeats when they change.\n' +
        '\nExample:\n' +
        '  anygrid provide --coordinator http://COORDINATOR:7070 --token-file provider.token --slots 4\n' +
        '  anygrid provide --coordinator URL --token-file provider.token --trust-key ed25519:... \\\n' +
        '      --require-signed --no-pin-publishers     # only modules signed by this key',
    );
  addJsonOption(cmd).action((flags: ProvideFlags, command: Command) =>
    provide(flags, command.getOptionValueSource('token') === 'cli'),
  );
}

/**
 * The provider token: from --token-file, else --token or ANYGRID_TOKEN. A file given
 * beside ANYGRID_TOKEN wins, as a flag beats the environment; beside --token it is a
 * usage error, since which one was meant cannot be known.
 */
async function tokenOf(flags: ProvideFlags, tokenOnCommandLine: boolean): Promise<string> {
  if (flags.tokenFile === undefined) {
    if (flags.token) return flags.token;
    throw usageError(
      'a provider token is required: --token-file FILE, ANYGRID_TOKEN or --token; ' +
        'create one with `anygrid token create --role provider`',
      'provide',
    );
  }
  if (tokenOnCommandLine) {
    throw usageError('give the token once: --token-file or --token, not both', 'provide');
  }
  const path = flags.tokenFile;
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    const code = (err as { code?: string }).code ?? 'EIO';
    throw new CliError(
      code,
      `cannot read the token file ${path}`,
      'check the path and its permissions',
    );
  });
  const token = text.trim();
  if (!token) throw usageError(`the token file ${path} is empty`, 'provide');
  return token;
}

/** `--coordinator`: one http(s) URL, or several comma-separated, each checked. */
function coordinatorUrls(value: string): string | undefined {
  const urls = value
    .split(',')
    .map((u) => coordinatorUrl(u.trim()))
    .filter((u) => u !== undefined);
  return urls.length === 0 ? undefined : urls.join(',');
}

async function provide(given: ProvideFlags, tokenOnCommandLine: boolean): Promise<void> {
  // --url given on the command line wins over ANYGRID_URL, which fills --coordinator.
  const flags = given.url === undefined ? given : { ...given, coordinator: given.url };
  if (!flags.coordinator)
    throw usageError('--coordinator URL (or ANYGRID_URL) is required', 'provide');
  const token = await tokenOf(flags, tokenOnCommandLine);
  const trustedKeys = await trustedKeysOf(flags);
  const status = new StatusLine(process.stdout);
  const log = createProviderLog(flags.logLevel, (line) =>
    status.above(() => process.stderr.write(line)),
  );
  const { startAgent, bufferSeconds } = await import('@anygrid/agent');
  const buffer = bufferSeconds(flags.bufferMinSeconds, flags.bufferMaxSeconds);
  const emit = (event: string, data: Record<string, unknown>, human: string) =>
    flags.json ? printJson({ event, ...data }) : status.print(human);
  // A coordinator not up yet is said at the first try, then at most every 30 s.
  let waitingSaidAt: number | undefined;
  const onWaiting = (coordinator: string, reason: string, retryInMs: number) => {
    const now = Date.now();
    if (waitingSaidAt !== undefined && now - waitingSaidAt < WAITING_NOTE_EVERY_MS) return;
    waitingSaidAt = now;
    emit(
      'waiting',
      { coordinator, reason, retryInMs },
      `waiting for ${coordinator}: ${reason}; trying again in ${Math.ceil(retryInMs / 1000)} s`,
    );
  };
  const join = async () => {
    const joined = await startAgent({
      coordinator: (flags.coordinator as string).split(','),
      onWaiting,
      onMove: (from: string, to: string) =>
        emit('moved', { from, to }, `moved to ${to}: ${from} stopped answering`),
      token,
      logger: log.logger,
      ...(flags.slots === undefined ? {} : { slots: flags.slots }),
      bufferSeconds: buffer,
      ...(flags.name === undefined ? {} : { name: flags.name }),
      ...(flags.cache === undefined ? {} : { cacheDir: flags.cache }),
      ...(flags.pins === undefined ? {} : { pinFile: flags.pins }),
      trustedKeys,
      requireSigned: flags.requireSigned ?? false,
      pinOnFirstUse: flags.pinPublishers,
      checkpointIntervalMs: Math.round(flags.checkpointInterval * 1000),
      checkpointMaxBytes: flags.checkpointMaxMib * 1024 * 1024,
      ...(flags.region === undefined ? {} : { region: flags.region }),
      ...asksOf(flags),
      benchmark: flags.benchmark,
      ...(flags.benchmarkInterval === undefined
        ? {}
        : { benchmarkIntervalMs: flags.benchmarkInterval }),
      allowNative: flags.allowNative ?? false,
    }).catch((err: unknown) => {
      throw tokenError(err) ?? err;
    });
    emit(
      'joined',
      { hostId: joined.hostId, coordinator: joined.coordinator },
      `joined ${joined.coordinator} as host ${joined.hostId}`,
    );
    if (flags.allowNative) {
      const { enabled, reason } = joined.native;
      emit(
        'native',
        { enabled, ...(reason === undefined ? {} : { reason }) },
        enabled
          ? 'native variants on: running them under bubblewrap'
          : `native variants off: ${reason}; running WebAssembly only`,
      );
    }
    return joined;
  };
  let agent = await join();

  let last = '';
  const showStats = () => {
    if (!flags.json) {
      status.show(statusText(agent.hostId, agent.stats(), log.lastProblem()));
      return;
    }
    const stats = agent.stats();
    const line = JSON.stringify(stats);
    if (line === last) return;
    last = line;
    printJson({ event: 'stats', stats });
  };
  const tty = !flags.json && Boolean(process.stdout.isTTY);
  if (tty) showStats();
  const timer = setInterval(showStats, tty ? TERMINAL_REFRESH_MS : flags.statsInterval);

  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  let signal: NodeJS.Signals;
  for (;;) {
    const outcome = await Promise.race([signalled, agent.hostLost.then(() => 'lost' as const)]);
    if (outcome !== 'lost') {
      signal = outcome;
      break;
    }
    // The coordinator's store no longer has this host (reset, or restored from a
    // backup): register again as a new host rather than fail every request.
    emit(
      'rejoining',
      { hostId: agent.hostId },
      `host ${agent.hostId} is unknown to the coordinator now; registering again`,
    );
    await agent.stop({ graceful: false, timeoutMs: 1000 });
    agent = await join();
  }

  clearInterval(timer);
  if (!flags.json) {
    showStats();
    status.end();
    status.print(`${signal}: stopping, handing back running tasks…`);
  }
  const current = agent;
  await new Promise<void>((resolve) => {
    // A second signal stops at once: running tasks are aborted and handed back.
    const now = () => void current.stop({ graceful: false, timeoutMs: 1000 }).finally(resolve);
    process.once('SIGINT', now);
    process.once('SIGTERM', now);
    void current.stop({ graceful: true, timeoutMs: 10_000 }).finally(() => {
      emit('stopped', { hostId: current.hostId }, `host ${current.hostId} stopped`);
      resolve();
    });
  });
}

/** The keys of --trust-key and --trust-file, each checked: a typo must not pass as distrust. */
async function trustedKeysOf(flags: ProvideFlags): Promise<string[]> {
  const keys = [...(flags.trustKey ?? [])];
  if (flags.trustFile !== undefined) keys.push(...(await readKeyList(flags.trustFile)));
  const bad = keys.find((key) => !isPublicKeyText(key));
  if (bad !== undefined) {
    throw usageError(
      `${JSON.stringify(bad)} is not a public key: expected ed25519:<43 base64url characters>`,
      'provide',
    );
  }
  return keys;
}

/** A rejected token, explained for a provider (the generic hint is about requesters). */
function tokenError(err: unknown): CliError | undefined {
  if (!(err instanceof AnygridError)) return undefined;
  if (err.code !== ErrorCode.UNAUTHENTICATED && err.code !== ErrorCode.FORBIDDEN) return undefined;
  return new CliError(
    err.code,
    err.message,
    'pass a provider token: create one with `anygrid token create --role provider` ' +
      '(dev: --token-file .anygrid/provider.token)',
  );
}
