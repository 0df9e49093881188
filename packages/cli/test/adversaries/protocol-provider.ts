/**
 * @module
 * A provider that speaks the protocol itself, over plain HTTP, with every message built
 * and read through the `@anygrid/protocol` schemas: what a cheater writes instead of
 * running the agent. The behaviours in this folder decide what it answers; this file
 * only carries messages, and counts what the coordinator said.
 */

import { createHash } from 'node:crypto';
import {
  type Assignment,
  assignmentsOf,
  type OutputRef,
  RegisterHostRequest,
  type RegisterHostRequestInput,
  Report,
  ReportBatch,
  ReportResponse,
  WorkRequest,
  WorkResponse,
} from '@anygrid/protocol';

/** What a behaviour answers for one assignment: the stdout to report, or null to keep it unreported. */
export interface Behaviour {
  readonly name: string;
  /** Replicas asked for per pull. */
  readonly max: number;
  /** Pause between pulls, in ms. */
  readonly pullEveryMs: number;
  /** Hosts whose behaviours name the same account share one provider token. */
  readonly account?: string;
  /** Whether its wrong answers can be caught (a hoarder gives none). */
  readonly catchable: boolean;
  /** The stdout to report for this assignment, given the correct one and how many it answered before. */
  answer(a: Assignment, correct: string, answered: number): string | null;
  /** Sent after each pull that brought work: forged reports and the like. */
  extra?(p: ProtocolProvider, got: readonly Assignment[]): Promise<void>;
}

export interface ProviderCounts {
  pulled: number;
  reported: number;
  /** Reports the coordinator refused, by error code. */
  refused: Record<string, number>;
}

/** An output as a report carries it: inline, with its hash and size. */
export function inlineOutput(text: string): OutputRef {
  const bytes = Buffer.from(text);
  return {
    hash: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.byteLength,
    data: bytes.toString('base64'),
  };
}

export class ProtocolProvider {
  hostId = 0;
  readonly counts: ProviderCounts = { pulled: 0, reported: 0, refused: {} };

  constructor(
    readonly url: string,
    private readonly token: string,
    readonly name: string,
    private readonly platform = 'linux-x64',
    /** More of what the host declares (memory, speed, region…), over the defaults. */
    private readonly declares: Partial<RegisterHostRequestInput> = {},
  ) {}

  private async post(path: string, body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(this.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  async register(): Promise<number> {
    const req = RegisterHostRequest.parse({
      name: this.name,
      platform: this.platform,
      cores: 1,
      memoryBytes: 1e9,
      slots: 1,
      ...this.declares,
    });
    const r = await this.post('/v1/hosts', req);
    if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
    this.hostId = r.body.hostId;
    return this.hostId;
  }

  async pull(max: number): Promise<Assignment[]> {
    const r = await this.post('/v1/work', WorkRequest.parse({ hostId: this.hostId, max }));
    if (r.status !== 200) throw new Error(`work: ${r.status} ${JSON.stringify(r.body)}`);
    const got = assignmentsOf(WorkResponse.parse(r.body));
    this.counts.pulled += got.length;
    return got;
  }

  /** Reports stdout for each replica as a success; returns the HTTP status. */
  async report(
    answers: readonly { replicaId: number; stdout: string; durationMs?: number }[],
  ): Promise<number> {
    if (answers.length === 0) return 200;
    const reports = answers.map((a) =>
      Report.parse({
        replicaId: a.replicaId,
        status: 'success',
        exitCode: 0,
        stdout: inlineOutput(a.stdout),
        stderr: null,
        durationMs: a.durationMs ?? 1,
      }),
    );
    const r = await this.post('/v1/reports', ReportBatch.parse({ hostId: this.hostId, reports }));
    if (r.status === 200) {
      ReportResponse.parse(r.body);
      this.counts.reported += answers.length;
    } else {
      const code = String(r.body?.error?.code ?? r.status);
      this.counts.refused[code] = (this.counts.refused[code] ?? 0) + 1;
    }
    return r.status;
  }
}

/** Runs a behaviour until `signal` aborts: pull, answer, report, pause. */
export async function runBehaviour(
  p: ProtocolProvider,
  b: Behaviour,
  correct: (a: Assignment) => string,
  signal: AbortSignal,
): Promise<void> {
  let answered = 0;
  while (!signal.aborted) {
    try {
      const got = await p.pull(b.max);
      const answers: { replicaId: number; stdout: string }[] = [];
      for (const a of got) {
        const stdout = b.answer(a, correct(a), answered);
        if (stdout === null) continue;
        answers.push({ replicaId: a.replicaId, stdout });
        answered++;
      }
      await p.report(answers);
      if (got.length > 0) await b.extra?.(p, got);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    await new Promise((r) => setTimeout(r, b.pullEveryMs));
  }
}
