/**
 * @module
 * The agent's check before it runs a job's module: its bytes are the ones the job names
 * (the blob cache hashes every blob it hands out, so a module that reaches here matches
 * its address; one whose bytes never do is reported as `module_hash_mismatch` by the
 * task runner), and its
 * signature verifies under a key this agent trusts (`module-trust.ts`), else it is
 * refused as `module_signature_refused`. Verdicts are kept per job, so the thousands of
 * tasks of one job cost one verification and then a lookup; unsigned jobs on an agent
 * that accepts them cost nothing at all.
 */

import type { Assignment, FailureCode } from '@anygrid/protocol';
import { verifyModuleSignature } from '@anygrid/protocol/node';
import type { Logger } from 'pino';
import { decideTrust, type TrustPolicy } from './module-trust.js';
import type { PublisherPins } from './publisher-pins.js';

/** Why the agent will not run a job's module. */
export interface Refusal {
  readonly code: Extract<FailureCode, 'module_hash_mismatch' | 'module_signature_refused'>;
  readonly message: string;
}

interface Verdict {
  readonly moduleHash: string;
  readonly signature: string | undefined;
  readonly refusal: Refusal | null;
}

/** Verdicts remembered, at most; a job's verdict is found again by verifying once more. */
const MAX_VERDICTS = 1024;

export class ModuleGate {
  private readonly verdicts = new Map<number, Verdict>();

  constructor(
    private readonly policy: TrustPolicy,
    private readonly pins: PublisherPins,
    private readonly logger: Logger,
  ) {}

  /**
   * The verdict already reached on `a`'s job: null to run, a refusal, or undefined when
   * none is known yet (call `check` once the module's bytes are in).
   */
  known(a: Assignment): Refusal | null | undefined {
    if (a.signature === undefined && !this.policy.requireSigned) return null;
    const v = this.verdicts.get(a.jobId);
    // A job id names another job after a coordinator's store was reset: compare too.
    if (v === undefined || v.moduleHash !== a.module.hash || v.signature !== a.signature?.signature)
      return undefined;
    return v.refusal;
  }

  /** Decides on `a`'s job, whose module's bytes were fetched and found to match its hash. */
  check(a: Assignment): Refusal | null {
    const known = this.known(a);
    if (known !== undefined) return known;
    const sig = a.signature;
    const verdict = decideTrust(this.policy, {
      signature: sig,
      signatureValid: sig !== undefined && verifyModuleSignature(a.module.hash, sig),
      pinnedKey: sig?.publisher === undefined ? undefined : this.pins.get(sig.publisher),
    });
    if (verdict.run && verdict.pin) {
      const { publisher, publicKey } = verdict.pin;
      this.logger.info({ publisher, publicKey }, 'pinned a publisher to its key at first use');
      this.pins.pin(publisher, publicKey).catch((err: unknown) => {
        this.logger.error({ err, publisher }, 'could not save the publisher pin');
      });
    }
    const refusal: Refusal | null = verdict.run
      ? null
      : { code: 'module_signature_refused', message: `module refused: ${verdict.message}` };
    if (refusal) this.logger.warn({ jobId: a.jobId, reason: refusal.message }, 'module refused');
    this.remember(a, refusal);
    return refusal;
  }

  private remember(a: Assignment, refusal: Refusal | null): void {
    if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.clear();
    this.verdicts.set(a.jobId, {
      moduleHash: a.module.hash,
      signature: a.signature?.signature,
      refusal,
    });
  }
}
