/**
 * @module
 * `anygrid hosts`: the hosts this token may see (a provider's own, every host for an
 * admin), one line each with counts, reputation score and quota; and `anygrid host ID`:
 * one host in detail, or `--release` (admin) to let a quarantined host work again.
 */

import type { Command } from 'commander';
import { addClientOptions, type ClientOptions, clientFrom } from '../client-options.js';
import { hostDetails, hostTable } from '../host-format.js';
import { intOption } from '../options.js';
import { note, printJson, println } from '../output.js';

interface HostFlags extends ClientOptions {
  release?: boolean;
}

export function registerHosts(program: Command): void {
  const list = program
    .command('hosts')
    .summary('list hosts with their reputation (provider: yours; admin: all)')
    .description(
      'List the hosts this token may see: a provider token its own, an admin token every ' +
        'host. Each line shows STATE (online: seen in the last 2 minutes; offline; or ' +
        'quarantined: gets no work), account, platform, REGION it declared, SPEED on the ' +
        'standard WASM benchmark (ops/s), ACCEL (accelerators), replicas VALID (compared or ' +
        'accepted alone), INVALID, ERROR and TIMEOUT, the reputation SCORE (mean of a Beta ' +
        'posterior, see docs/validation.md), what the coordinator measured (ON-TIME: share ' +
        'reported before the deadline; AVAIL: share of the last day connected; TURNAROUND: ' +
        'sent to reported), the daily QUOTA LEFT, and the volunteer CREDIT it earned (credits). In a ' +
        'terminal too narrow for them all, the least telling columns are left out, and a note says which.',
    );
  addClientOptions(list).action(async (flags: ClientOptions) => {
    const { hosts, accounts } = await clientFrom(flags).hosts();
    if (flags.json) {
      printJson({ hosts, accounts });
      return;
    }
    if (!hosts.length) {
      note('no hosts yet; start one with `anygrid provide --token PROVIDER_TOKEN`');
      return;
    }
    // In a terminal, as many columns as fit; piped, all of them.
    const width = process.stdout.isTTY ? process.stdout.columns : undefined;
    const { lines, hidden } = hostTable(hosts, width);
    for (const line of lines) println(line);
    if (hidden.length > 0) {
      note(
        `${hidden.join(', ')} left out to fit ${width} columns: widen the terminal, or see \`anygrid host ID\` or --json`,
      );
    }
  });

  const one = program
    .command('host')
    .summary('show one host; --release lets a quarantined host work again (admin)')
    .description(
      'Show one host: its platform, address, replica counts, reputation score, daily quota ' +
        'and quarantine. With --release (admin token) clear its quarantine so it gets work again.',
    )
    .argument('<id>', 'host id', intOption(1))
    .option('--release', 'clear the host’s quarantine (admin only)');
  addClientOptions(one).action(async (id: number, flags: HostFlags) => {
    const client = clientFrom(flags);
    if (flags.release) {
      const { released, host } = await client.releaseHost(id);
      if (flags.json) {
        printJson({ released, host });
        return;
      }
      println(
        released ? `host ${id} released: it gets work again` : `host ${id} was not quarantined`,
      );
      return;
    }
    const host = await client.host(id);
    if (flags.json) {
      printJson(host);
      return;
    }
    for (const line of hostDetails(host)) println(line);
  });
}
