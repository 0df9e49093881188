/**
 * @module
 * `anygrid provide`: lends this machine to a coordinator by running the provider agent
 * in this process until Ctrl-C, which stops it gracefully (running tasks are handed back).
 */

import { AnygridError, ErrorCode } from '@anygrid/protocol';
import type { Command } from 'commander';
import { Option } from 'commander';
import { CliError, usageError } from '../cli-error.js';
import { addJsonOption } from '../client-options.js';
import { intOption } from '../options.js';
import { printJson, println } from '../output.js';

interface ProvideFlags {
  coordinator?: string;
  token?: string;
  slots?: number;
  name?: string;
  cache?: string;
  statsInterval: number;
  json?: boolean;
}

export function registerProvide(program: Command): void {
  const cmd = program
    .command('provide')
    .summary('run tasks for a coordinator on this machine')
    .description(
      'Join a coordinator as a provider host and run its tasks in the WASI sandbox until ' +
        'stopped. Ctrl-C (or SIGTERM) stops gracefully: running tasks are handed back.',
    )
    .addOption(new Option('--coordinator <url>', 'coordinator URL').env('ANYGRID_URL'))
    .addOption(new Option('--token <token>', 'provider token').env('ANYGRID_TOKEN'))
    .option('--slots <n>', 'tasks run at once (default: CPU cores)', intOption(1, 1024))
    .option('--name <name>', 'host name shown to the coordinator')
    .option('--cache <dir>', 'keep cached modules, inputs and this host id in DIR across restarts')
    .option('--stats-interval <ms>', 'how often to print progress', intOption(100), 10_000);
  addJsonOption(cmd).action((flags: ProvideFlags) => provide(flags));
}

async function provide(flags: ProvideFlags): Promise<void> {
  if (!flags.coordinator)
    throw usageError('--coordinator URL (or ANYGRID_URL) is required', 'provide');
  if (!flags.token) {
    throw usageError(
      '--token (or ANYGRID_TOKEN) is required: a provider token, e.g. from `anygrid token create --role provider`',
      'provide',
    );
  }
  const { startAgent } = await import('@anygrid/agent');
  const emit = (event: string, data: Record<string, unknown>, human: string) =>
    flags.json ? printJson({ event, ...data }) : println(human);
  const join = async () => {
    const joined = await startAgent({
      coordinator: flags.coordinator as string,
      token: flags.token as string,
      ...(flags.slots === undefined ? {} : { slots: flags.slots }),
      ...(flags.name === undefined ? {} : { name: flags.name }),
      ...(flags.cache === undefined ? {} : { cacheDir: flags.cache }),
    }).catch((err: unknown) => {
      throw tokenError(err) ?? err;
    });
    emit(
      'joined',
      { hostId: joined.hostId, coordinator: flags.coordinator },
      `joined ${flags.coordinator} as host ${joined.hostId}`,
    );
    return joined;
  };
  let agent = await join();

  let last = '';
  const timer = setInterval(() => {
    const stats = agent.stats() as unknown as Record<string, unknown>;
    const line = JSON.stringify(stats);
    if (line === last) return;
    last = line;
    emit('stats', { stats }, `host ${agent.hostId}: ${statsLine(stats)}`);
  }, flags.statsInterval);

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
  if (!flags.json) println(`${signal}: stopping, handing back running tasks…`);
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

/** `key value` pairs of the agent's numeric and string stats. */
function statsLine(stats: Record<string, unknown>): string {
  return Object.entries(stats)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** A rejected token, explained for a provider (the generic hint is about requesters). */
function tokenError(err: unknown): CliError | undefined {
  if (!(err instanceof AnygridError)) return undefined;
  if (err.code !== ErrorCode.UNAUTHENTICATED && err.code !== ErrorCode.FORBIDDEN) return undefined;
  return new CliError(
    err.code,
    err.message,
    'pass a provider token: create one with `anygrid token create --role provider` ' +
      '(dev: --token $(cat .anygrid/provider.token))',
  );
}
