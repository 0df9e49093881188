/**
 * @module
 * A provider that speaks the real protocol (register, pull work, report) but reports
 * outputs the test crafts instead of running the module: the way to get replicas that
 * differ as a test wants (in the last bits of a float, in line order) beside real agents.
 */

import { type client, sha256 } from './harness.js';

/** What the crafted provider reports for one assignment: stdout and files, as bytes. */
export interface CraftedOutputs {
  readonly stdout: Uint8Array | string;
  readonly files?: Readonly<Record<string, Uint8Array | string>>;
}

export interface CraftedAssignment {
  readonly replicaId: number;
  readonly jobId: number;
  readonly args: readonly string[];
  /** Hash of the job's module, to tell jobs apart. */
  readonly moduleHash: string;
}

function ref(content: Uint8Array | string) {
  const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  return { hash: sha256(bytes), size: bytes.byteLength, data: bytes.toString('base64') };
}

/**
 * Registers a host and, until stopped, pulls work and reports `craft(assignment)` for
 * each assignment (exit code 0). Returns a function that stops it and the number of reports.
 */
export async function startCraftedProvider(
  provider: ReturnType<typeof client>,
  name: string,
  craft: (a: CraftedAssignment) => CraftedOutputs,
  options: {
    /** What the host asks, micro-credits per unit (a paid provider). */
    readonly asks?: { cpuSecond?: number; memGiBSecond?: number; gpuSecond?: number };
    /** The run time it claims for every report; default 1 ms. */
    readonly durationMs?: number;
    /** Sends every report batch this many times (a replay); default once. */
    readonly repeat?: number;
  } = {},
): Promise<{ stop: () => Promise<number> }> {
  const reg = await provider.post('/v1/hosts', {
    name,
    platform: 'linux-x64',
    cores: 1,
    memoryBytes: 1 << 30,
    slots: 4,
    ...(options.asks === undefined ? {} : { asks: options.asks }),
  });
  if (reg.status !== 201 && reg.status !== 200) throw new Error(`register: ${reg.status}`);
  const hostId = reg.body.hostId as number;
  let stopped = false;
  let reported = 0;
  const loop = (async () => {
    while (!stopped) {
      const work = await provider.post('/v1/work', { hostId, max: 10 });
      const assignments = (work.body?.assignments ?? []) as Array<{
        replicaId: number;
        jobId: number;
        args: string[];
      }>;
      if (assignments.length === 0) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const reports = assignments.map((a) => {
        const outputs = craft({ ...a, moduleHash: work.body.jobs[a.jobId].module.hash });
        const files: Record<string, ReturnType<typeof ref>> = {};
        for (const [file, bytes] of Object.entries(outputs.files ?? {})) files[file] = ref(bytes);
        return {
          replicaId: a.replicaId,
          status: 'success',
          exitCode: 0,
          stdout: ref(outputs.stdout),
          stderr: null,
          files,
          error: null,
          durationMs: options.durationMs ?? 1,
        };
      });
      for (let i = 0; i < (options.repeat ?? 1); i++) {
        const r = await provider.post('/v1/reports', { hostId, reports });
        if (r.status !== 200) throw new Error(`report: ${r.status} ${JSON.stringify(r.body)}`);
      }
      reported += reports.length;
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return reported;
    },
  };
}
