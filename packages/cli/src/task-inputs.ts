/**
 * @module
 * Reading what task plans point at: the files of an `--inputs` directory, input files and
 * stdin files, turned into the SDK's `TaskInput`s. Identical contents are read once each
 * and deduplicated again by hash when the SDK uploads.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskInput } from '@anygrid/sdk';
import { CliError } from './cli-error.js';
import type { TaskPlan } from './task-plan.js';

/** Regular files directly inside `dir`, sorted by name so task indexes are stable. */
export async function listInputDir(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw fileError(err, dir, 'read the directory');
  }
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
  if (!files.length)
    throw new CliError('USAGE', `${dir} holds no files`, 'put one input file per task in it', 2);
  return files.map((name) => join(dir, name));
}

/** Reads a file, with an error naming it when that fails. */
export async function readInput(path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    throw fileError(err, path, 'read');
  }
}

/** Loads the plans' files; `common` env and stdin apply to every task. */
export async function loadTasks(
  plans: readonly TaskPlan[],
  common: { env: Record<string, string>; stdin?: Uint8Array },
): Promise<TaskInput[]> {
  const cache = new Map<string, Promise<Uint8Array>>();
  const read = (path: string) => {
    let p = cache.get(path);
    if (!p) {
      p = readInput(path);
      cache.set(path, p);
    }
    return p;
  };
  return Promise.all(
    plans.map(async (plan) => {
      const files: Record<string, Uint8Array> = {};
      for (const [name, path] of Object.entries(plan.files)) files[name] = await read(path);
      const stdin = plan.stdin ?? common.stdin;
      return {
        args: plan.args,
        env: { ...common.env, ...plan.env },
        files,
        ...(stdin === undefined ? {} : { stdin }),
        ...(plan.dependsOn === undefined ? {} : { dependsOn: plan.dependsOn }),
      };
    }),
  );
}

/** Parses repeated `K=V` options into an environment. */
export function parseEnv(
  pairs: readonly string[] | undefined,
  command: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new CliError(
        'USAGE',
        `--env ${pair}: expected NAME=VALUE`,
        `see \`anygrid ${command} --help\``,
        2,
      );
    }
    env[key] = pair.slice(eq + 1);
  }
  return env;
}

function fileError(err: unknown, path: string, what: string): CliError {
  const code = (err as { code?: string }).code ?? 'EIO';
  return new CliError(code, `cannot ${what} ${path}`, 'check the path and its permissions');
}
