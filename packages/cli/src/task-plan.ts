/**
 * @module
 * How `anygrid submit`'s arguments become tasks, before any file is read. The task
 * arguments are the words after `--` (or, equally, the values of `--args`):
 * - `--input F…` / `--inputs DIR`: one task per input file. The file is placed in the
 *   task's directory under its basename (or `--input-name NAME`), and the task's argv is
 *   the arguments with every `{}` replaced by that name, or the arguments followed by
 *   the name when none contains `{}`.
 * - `--tasks FILE.jsonl`: one task per non-empty line, `{"args":[…], "env":{…},
 *   "stdin":"text", "files":{"name-in-task":"host/path"}, "dependsOn":[0, 1]}` (all
 *   fields optional; `dependsOn` names earlier or later lines by index from 0).
 * - otherwise: one task whose argv is the arguments.
 */

import { basename } from 'node:path';
import { usageError } from './cli-error.js';

/** A task before its files are read: input files are host paths. */
export interface TaskPlan {
  readonly args: string[];
  readonly env: Record<string, string>;
  /** stdin as text. */
  readonly stdin?: string;
  /** Name inside the task directory → host path. */
  readonly files: Record<string, string>;
  /** Indexes (lines from 0) of the tasks whose outputs this one needs. */
  readonly dependsOn?: number[];
}

/** The submit options that decide the tasks. */
export interface PlanOptions {
  /** The task arguments: the words after `--`, or `--args`. */
  readonly args?: readonly string[];
  /** Input files, in task order (a directory already listed). */
  readonly inputs?: readonly string[];
  /** Name of each input file inside its task directory (default: its basename). */
  readonly inputName?: string;
  /** Contents of a `--tasks` JSONL file and its name for messages. */
  readonly tasksJsonl?: { readonly text: string; readonly source: string };
}

const SAFE_NAME = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Expands the submit options into one plan per task. */
export function planTasks(o: PlanOptions): TaskPlan[] {
  const args = [...(o.args ?? [])];
  if (o.tasksJsonl) {
    if (o.inputs?.length || args.length) {
      throw usageError(
        '--tasks cannot be combined with --input, --inputs or task arguments (-- ARGS or --args)',
        'submit',
      );
    }
    return parseJsonl(o.tasksJsonl.text, o.tasksJsonl.source);
  }
  if (o.inputs?.length) return o.inputs.map((path) => inputTask(path, args, o.inputName));
  if (o.inputName) throw usageError('--input-name needs --input or --inputs', 'submit');
  return [{ args, env: {}, files: {} }];
}

function inputTask(path: string, template: readonly string[], inputName?: string): TaskPlan {
  const name = inputName ?? basename(path);
  checkName(name, `input ${path}`);
  const hasPlaceholder = template.some((a) => a.includes('{}'));
  const args = hasPlaceholder ? template.map((a) => a.replaceAll('{}', name)) : [...template, name];
  return { args, env: {}, files: { [name]: path } };
}

function checkName(name: string, what: string): void {
  if (!SAFE_NAME.test(name) || name.split('/').some((s) => s === '.' || s === '..')) {
    throw usageError(
      `${what}: "${name}" is not a valid name inside a task (use letters, digits, . _ - and /); rename it or pass --input-name`,
      'submit',
    );
  }
}

function parseJsonl(text: string, source: string): TaskPlan[] {
  const plans: TaskPlan[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw usageError(`${where}: not valid JSON`, 'submit');
    }
    plans.push(planFromJson(value, where));
  });
  if (!plans.length) throw usageError(`${source} holds no tasks`, 'submit');
  return plans;
}

function planFromJson(value: unknown, where: string): TaskPlan {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw usageError(`${where}: each line must be a JSON object like {"args":["1","2"]}`, 'submit');
  }
  const obj = value as Record<string, unknown>;
  const unknown = Object.keys(obj).filter(
    (k) => !['args', 'env', 'stdin', 'files', 'dependsOn'].includes(k),
  );
  if (unknown.length)
    throw usageError(`${where}: unknown field(s) ${unknown.join(', ')}`, 'submit');
  const args = obj.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string' || typeof a === 'number')) {
    throw usageError(`${where}: "args" must be an array of strings`, 'submit');
  }
  const env = stringRecord(obj.env, `${where}: "env"`);
  const files = stringRecord(obj.files, `${where}: "files"`);
  for (const name of Object.keys(files)) checkName(name, `${where}: file`);
  if (obj.stdin !== undefined && typeof obj.stdin !== 'string') {
    throw usageError(`${where}: "stdin" must be a string`, 'submit');
  }
  const deps = obj.dependsOn;
  if (deps !== undefined && !(Array.isArray(deps) && deps.every(Number.isInteger))) {
    throw usageError(
      `${where}: "dependsOn" must be an array of task indexes (lines from 0), e.g. [0, 1]`,
      'submit',
    );
  }
  return {
    args: args.map(String),
    env,
    files,
    ...(obj.stdin === undefined ? {} : { stdin: obj.stdin as string }),
    ...(deps === undefined ? {} : { dependsOn: deps as number[] }),
  };
}

function stringRecord(value: unknown, what: string): Record<string, string> {
  if (value === undefined) return {};
  if (
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !Object.values(value).every((v) => typeof v === 'string')
  ) {
    throw usageError(`${what} must be an object of strings`, 'submit');
  }
  return { ...(value as Record<string, string>) };
}
