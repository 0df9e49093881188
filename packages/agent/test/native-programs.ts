/**
 * @module
 * What the native-variant tests need from the machine: bubblewrap that works here and a
 * C compiler to build the example programs natively (`examples/build.sh native`, the
 * builds are not committed). On a laptop without them the tests that need them are
 * skipped with the reason printed; under CI they fail (`requireResource`), since CI
 * installs both (.ci/run).
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireResource } from '../../runtime/test/require-resource.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Whether bubblewrap runs a program in fresh namespaces here, and why not. */
function bwrapProbe(): { ok: boolean; why: string } {
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    return {
      ok: false,
      why: `native variants run on linux-x64/arm64, not ${process.platform}-${process.arch}`,
    };
  }
  const r = spawnSync(
    'bwrap',
    ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', 'true'],
    {
      encoding: 'utf8',
    },
  );
  if (r.error) return { ok: false, why: 'bwrap not found (apt-get install -y bubblewrap)' };
  if (r.status !== 0) return { ok: false, why: `bwrap does not work here: ${r.stderr.trim()}` };
  return { ok: true, why: '' };
}

/**
 * True when native variants can be tested here: bubblewrap works and clang builds. Else
 * false with the reason printed, or a thrown error under CI.
 */
export function nativeTestable(): boolean {
  const bwrap = bwrapProbe();
  const clang = spawnSync('clang', ['--version']).status === 0;
  return requireResource({
    name: 'bubblewrap and clang (native variants)',
    present: bwrap.ok && clang,
    missing: bwrap.ok ? 'clang not found (apt-get install -y clang)' : bwrap.why,
  });
}

/** Builds examples/src programs natively into a fresh directory; returns it. */
export function buildNative(names: readonly string[]): string {
  const out = mkdtempSync(join(tmpdir(), 'anygrid-native-build-'));
  const r = spawnSync('bash', [join(REPO, 'examples/build.sh'), 'native', ...names], {
    env: { ...process.env, OUTDIR: out },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`examples/build.sh native failed: ${r.stderr}`);
  return out;
}
