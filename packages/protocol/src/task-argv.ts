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
