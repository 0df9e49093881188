/**
 * @module
 * Whether a host meets a job's requirements (protocol requirements.ts), field by field.
 * The scheduler asks `meets` from the capabilities it keeps in memory, so a host skips
 * jobs it cannot run without a store read; the store asks again at assignment, from the
 * host's row, where it is the truth; diagnostics ask `failures` to count, per field, the
 * connected hosts that fail it. A capability the host never declared (free disk, speed,
 * region) fails a requirement on it: nothing proves the host has it.
 */

import type { Asks, JobRequirements } from '@anygrid/protocol';

/** What a host declared about itself, and its reputation's lower bound. */
export interface HostCapabilities {
  readonly platform: string;
  readonly cores: number;
  readonly memoryBytes: number;
  /** Null: never said. */
  readonly freeDiskBytes: number | null;
  /** Operations per second on the standard WASM benchmark; null: never measured. */
  readonly speed: number | null;
  /** Kinds of the host's accelerators (`cuda`, `webgpu`). */
  readonly accelerators: readonly string[];
  readonly region: string | null;
  /** `ReputationView.lowerBound` of the host's own record. */
  readonly reputation: number;
  /** What it asks per unit (zero: a volunteer); matched against a job's pricing (price-fit.ts). */
  readonly asks: Asks;
  /** Its account's stake, micro-credits: preferred at an equal price and reputation (stake-trust.ts). */
  readonly stake: number;
}

/** A field of `JobRequirements`. */
export type RequirementField = keyof JobRequirements;

/** Whether the host satisfies one field of the requirements (true when the field is absent). */
export function meetsField(
  host: HostCapabilities,
  req: JobRequirements,
  field: RequirementField,
): boolean {
  switch (field) {
    case 'platforms':
      return req.platforms === undefined || req.platforms.includes(host.platform);
    case 'minMemoryBytes':
      return req.minMemoryBytes === undefined || host.memoryBytes >= req.minMemoryBytes;
    case 'minCores':
      return req.minCores === undefined || host.cores >= req.minCores;
    case 'minDiskBytes':
      return (
        req.minDiskBytes === undefined ||
        (host.freeDiskBytes !== null && host.freeDiskBytes >= req.minDiskBytes)
      );
    case 'minSpeed':
      return req.minSpeed === undefined || (host.speed !== null && host.speed >= req.minSpeed);
    case 'accelerators':
      return (
        req.accelerators === undefined ||
        req.accelerators.every((kind) => host.accelerators.includes(kind))
      );
    case 'regions':
      return (
        req.regions === undefined || (host.region !== null && req.regions.includes(host.region))
      );
    case 'minReputation':
      return req.minReputation === undefined || host.reputation >= req.minReputation;
  }
}

/** The fields the requirements give, in the order diagnostics list them. */
export function requirementFields(req: JobRequirements): RequirementField[] {
  return (Object.keys(req) as RequirementField[]).filter((f) => req[f] !== undefined);
}

/** The fields of the requirements the host fails; empty when it meets them all. */
export function failures(host: HostCapabilities, req: JobRequirements): RequirementField[] {
  return requirementFields(req).filter((f) => !meetsField(host, req, f));
}

/** Whether the host meets every requirement. */
export function meets(host: HostCapabilities, req: JobRequirements): boolean {
  for (const field in req) {
    if (!meetsField(host, req, field as RequirementField)) return false;
  }
  return true;
}
