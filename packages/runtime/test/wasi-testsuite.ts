/**
 * @module Reads the official WASI preview1 conformance suite (shared/wasi-testsuite)
 * into test cases: which module, with which args, env and preopened files, expecting
 * which exit code and output. Shared by the Node and the Chromium conformance tests.
 *
 * The suite lives beside the repository (`../shared/wasi-testsuite` from its root), both
 * on a developer machine and in CI; where it is absent, tests skip with a message on a
 * laptop and fail under CI (`requireResource`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './runtime-dist.js';

/** Where the suite is expected. */
export const suiteDir = path.resolve(repoRoot, '..', 'shared', 'wasi-testsuite');

/** One conformance test. */
export interface SuiteCase {
  /** e.g. 'rust/fd_readdir' */
  readonly id: string;
  /** Path of the .wasm relative to `suiteDir`. */
  readonly wasm: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  /** Directory (relative to `suiteDir`) preopened as '/', copied fresh per run; absent for none. */
  readonly root?: string;
  readonly exitCode: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

interface SpecJson {
  args?: string[];
  env?: Record<string, string>;
  root?: string;
  dirs?: string[];
  exit_code?: number;
  stdout?: string;
  stderr?: string;
  proposals?: string[];
  operations?: Array<{
    type: string;
    args?: string[];
    env?: Record<string, string>;
    root?: string;
    exit_code?: number;
    id?: string;
    payload?: string;
  }>;
}

/** True when the suite is present. */
export function suiteAvailable(): boolean {
  return fs.existsSync(path.join(suiteDir, 'tests'));
}

/** Every preview1 command test of the suite, sorted by id. */
export function loadSuite(): SuiteCase[] {
  const cases: SuiteCase[] = [];
  const testsDir = path.join(suiteDir, 'tests');
  for (const lang of fs.readdirSync(testsDir).sort()) {
    const dir = path.join(testsDir, lang, 'testsuite', 'wasm32-wasip1');
    if (!fs.existsSync(dir)) continue;
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.wasm'))
      .sort()) {
      const name = file.slice(0, -'.wasm'.length);
      const jsonPath = path.join(dir, `${name}.json`);
      const json: SpecJson = fs.existsSync(jsonPath)
        ? JSON.parse(fs.readFileSync(jsonPath, 'utf8'))
        : {};
      if (json.proposals?.length) continue;
      const rel = path.relative(suiteDir, dir);
      let spec: SpecJson = json;
      if (json.operations) {
        type Operation = NonNullable<SpecJson['operations']>[number];
        const runOp: Partial<Operation> = json.operations.find((o) => o.type === 'run') ?? {};
        const waitOp: Partial<Operation> = json.operations.find((o) => o.type === 'wait') ?? {};
        const read = (id: string) =>
          json.operations
            ?.filter((o) => o.type === 'read' && o.id === id)
            .map((o) => o.payload ?? '')
            .join('');
        spec = {
          ...runOp,
          exit_code: waitOp.exit_code,
          stdout: read('stdout') || undefined,
          stderr: read('stderr') || undefined,
        };
      }
      cases.push({
        id: `${lang}/${name}`,
        wasm: path.join(rel, file),
        args: spec.args ?? [],
        env: spec.env ?? {},
        ...(spec.root ? { root: path.join(rel, spec.root) } : {}),
        exitCode: spec.exit_code ?? 0,
        ...(spec.stdout !== undefined ? { stdout: spec.stdout } : {}),
        ...(spec.stderr !== undefined ? { stderr: spec.stderr } : {}),
      });
    }
  }
  return cases;
}

/** The files under a test's root directory, keyed by relative path ('sub/x'), read fresh. */
export function readRoot(root: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
      else if (entry.isFile() && !entry.name.endsWith('.cleanup'))
        out[prefix + entry.name] = new Uint8Array(fs.readFileSync(full));
    }
  };
  walk(path.join(suiteDir, root), '');
  return out;
}

/** What a run gave, reduced to what the suite checks. */
export interface SuiteOutcome {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Why `outcome` does not satisfy `test`, or undefined when it passes. */
export function mismatch(test: SuiteCase, outcome: SuiteOutcome): string | undefined {
  if (outcome.exitCode !== test.exitCode)
    return `exit code ${outcome.exitCode}, expected ${test.exitCode}; stderr: ${outcome.stderr.slice(0, 300)}`;
  if (test.stdout !== undefined && outcome.stdout !== test.stdout)
    return `stdout ${JSON.stringify(outcome.stdout.slice(0, 200))}, expected ${JSON.stringify(test.stdout)}`;
  if (test.stderr !== undefined && outcome.stderr !== test.stderr)
    return `stderr ${JSON.stringify(outcome.stderr.slice(0, 200))}, expected ${JSON.stringify(test.stderr)}`;
  return undefined;
}

/**
 * Tests known not to pass, with the reason. Empty: all 72 pass in Node and Chromium.
 * A test listed here must still fail (so the list never goes stale).
 */
export const KNOWN_FAILURES: Readonly<Record<string, string>> = {};
