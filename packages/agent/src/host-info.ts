/**
 * @module
 * What this device says about itself when it registers: platform, cores, memory and the
 * number of tasks it runs at once. Read from the operating system; the coordinator
 * uses it for matching, never for trust.
 */

import { availableParallelism, hostname, totalmem } from 'node:os';
import type { RegisterHostRequestInput } from '@anygrid/protocol';

/** Reported as `agentVersion`. */
export const AGENT_VERSION = '0.1.0';

/** `linux-x64`, `darwin-arm64`, `win32-x64`: Node's platform and arch, as the protocol spells them. */
export function platformName(
  platform: string = process.platform,
  arch: string = process.arch,
): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${clean(platform).replace(/_/g, '')}-${clean(arch)}`;
}

/** The registration body for this device. */
export function hostInfo(options: {
  slots: number;
  name?: string;
  hostId?: number;
  /** Replicas still held from before (saved results and work), when re-registering. */
  holding?: number[];
  /** Native variants run here (`--allow-native`, bubblewrap working): registers the `native` runtime. */
  native?: boolean;
}): RegisterHostRequestInput {
  const name = (options.name ?? hostname()).slice(0, 200) || 'unnamed';
  return {
    name,
    platform: platformName(),
    cores: Math.min(4096, Math.max(1, availableParallelism())),
    memoryBytes: totalmem(),
    slots: options.slots,
    runtimes: options.native === true ? ['wasm32-wasi', 'native'] : ['wasm32-wasi'],
    agentVersion: AGENT_VERSION,
    ...(options.hostId === undefined ? {} : { hostId: options.hostId }),
    ...(options.hostId === undefined || options.holding === undefined
      ? {}
      : { holding: options.holding }),
  };
}

/** Tasks at once when the operator does not say: one per core the process may use. */
export function defaultSlots(): number {
  return Math.min(1024, Math.max(1, availableParallelism()));
}
