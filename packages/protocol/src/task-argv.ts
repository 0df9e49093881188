/**
 * @module
 * How big a task's command line may be. Real programs take long arguments (inline text,
 * generated flag lists), so nothing bounds one argument or their count: the bound is on
 * the bytes the whole argv and environment take, counted as a Unix kernel counts them
 * for `execve` (each string as UTF-8 plus its terminating NUL; an environment entry as
 * `NAME=VALUE`). Linux allows 2 MiB (ARG_MAX); a task gets 256 KiB, an eighth of that,
 * because a job of many tasks carries every task's command line in one request. The
 * grid (schema and in-place readers), the SDK and `anygrid run` all apply this one rule.
 */

/** What an environment variable's name looks like. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Most bytes a task's argv[1..] and environment may take together (see `argvEnvBytes`). */
export const MAX_TASK_ARGV_ENV_BYTES = 256 * 1024;

/** Most characters of argv[0], the program name a job gives its tasks. */
export const MAX_ARGV0_CHARS = 255;

/** UTF-8 length of a JavaScript string (a lone surrogate counts as U+FFFD, 3 bytes). */
export function utf8Bytes(s: string): number {
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      // A surrogate pair is two UTF-16 units and four UTF-8 bytes.
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * Bytes argv[1..] and the environment take: each argument plus a NUL, each variable as
 * `NAME=VALUE` plus a NUL.
 */
export function argvEnvBytes(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): number {
  let bytes = 0;
  for (const arg of args) bytes += utf8Bytes(arg) + 1;
  for (const name in env) bytes += utf8Bytes(name) + utf8Bytes(env[name] as string) + 2;
  return bytes;
}

/** The sentence a refusal gives, the same in the schema, the SDK and `anygrid run`. */
export function argvEnvTooLarge(bytes: number): string {
  return (
    `argv and environment take ${bytes} bytes (each as UTF-8 with a NUL); a task may use at ` +
    `most ${MAX_TASK_ARGV_ENV_BYTES}: pass large data as an input file or stdin instead`
  );
}

/**
 * Whether a task's argv and environment, as JSON gives them, are valid by the schema's
 * rules (strings, environment names, the byte bound), checked without the schema: the
 * coordinator's job reader and the SDK run it on every task of a job. It may refuse
 * what is valid (a command line near the bound) but never accepts what is not; callers
 * give a refused task to the schema, which decides and says why.
 */
export function isPlainCommandLine(args: unknown, env: unknown): boolean {
  let units = 0;
  let strings = 0;
  if (args !== undefined) {
    if (!Array.isArray(args)) return false;
    for (const arg of args) {
      if (typeof arg !== 'string') return false;
      units += arg.length;
    }
    strings += args.length;
  }
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || Object.getPrototypeOf(env) !== Object.prototype)
      return false;
    const record = env as Record<string, unknown>;
    for (const name in record) {
      const value = record[name];
      if (!ENV_NAME.test(name) || name === '__proto__' || typeof value !== 'string') return false;
      units += name.length + value.length + 1;
      strings += 1;
    }
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes: a usual command line needs no exact count.
  return units * 3 + strings <= MAX_TASK_ARGV_ENV_BYTES;
}
