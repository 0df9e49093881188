/**
 * @module
 * Errors the CLI raises itself (bad option combinations, unreadable files) and how every
 * error is printed: `error CODE: message`, then a next step, exit code 1, or 2 for usage
 * errors. Coordinator errors keep the code the coordinator sent.
 */

import { AnygridError, ErrorCode } from '@anygrid/protocol';

/** Exit code of a usage error (bad flags or arguments). */
export const USAGE_EXIT = 2;

/** An error the CLI detected, with a code, a next step and an exit code. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage error: wrong flags or arguments (exit code 2). */
export function usageError(message: string, command = ''): CliError {
  const help = command ? `anygrid ${command} --help` : 'anygrid --help';
  return new CliError('USAGE', message, `see \`${help}\``, USAGE_EXIT);
}

/** What to do next after a coordinator error of this code. */
function hintFor(code: string): string {
  switch (code) {
    case ErrorCode.UNAVAILABLE:
      // The error itself says how to start one; a grid of several has others to turn to.
      return 'on a grid of several coordinators, use another with --url or ANYGRID_URL; else start this one again';
    case ErrorCode.UNAUTHENTICATED:
      return 'set ANYGRID_TOKEN or pass --token (dev: export ANYGRID_TOKEN=$(cat .anygrid/requester.token))';
    case ErrorCode.FORBIDDEN:
      return 'use a token of the right role: requester for jobs, provider or admin for `hosts`, admin for `token create`, `host --release` and `accounts`';
    case ErrorCode.NOT_FOUND:
      return 'list your jobs with `anygrid jobs` (or your hosts with `anygrid hosts`)';
    case ErrorCode.HOST_LIMIT:
      return 'restart an existing agent with its --cache directory (it keeps its host id), or ask the admin for `serve --max-hosts-per-account`';
    case ErrorCode.INVALID_REQUEST:
      return 'check the values against `anygrid <command> --help`';
    case ErrorCode.BLOB_MISSING:
      return 'submit again; missing blobs are uploaded before the job is created';
    case ErrorCode.JOB_PURGED:
      return "the job outlived the coordinator's retention (`anygrid serve --retention`); submit it again to get results, or ask the admin for its archive (`serve --archive-dir`)";
    case ErrorCode.CONFLICT:
      return 'check the job with `anygrid status JOB`';
    case ErrorCode.INSUFFICIENT_BALANCE:
      return 'have an admin credit the account (`anygrid ledger credit ACCOUNT CREDITS`), or ask for less (a paid job: a lower price ceiling, or fewer tasks)';
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 'split the job into several smaller jobs';
    case ErrorCode.HASH_MISMATCH:
      return 'the bytes changed in transit; try again';
    case ErrorCode.ROUTE_NOT_FOUND:
      return 'check that ANYGRID_URL / --url points at an Anygrid coordinator of this version';
    case ErrorCode.MALFORMED_JSON:
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
      return 'this is a bug in anygrid; please report it with the command you ran';
    default:
      return 'try again; if it persists, the coordinator log says more (--log-level info)';
  }
}

/** Where to look for what was not found, when the coordinator said what it was. */
const NOT_FOUND_HINTS: Readonly<Record<string, string>> = {
  host: 'list the hosts this token may see with `anygrid hosts`',
  job: 'list your jobs with `anygrid jobs`',
};

function notFoundHint(err: AnygridError): string | undefined {
  if (err.code !== ErrorCode.NOT_FOUND) return undefined;
  const resource = (err.details as { resource?: unknown } | undefined)?.resource;
  return typeof resource === 'string' ? NOT_FOUND_HINTS[resource] : undefined;
}

/** Next steps for system errors the CLI can meet (listening, reading files). */
const SYSTEM_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE:
    'another process listens there: stop it, or pick another port with --port (0: any free port)',
  EACCES: 'check the permissions, or use a port above 1024',
  ENOENT: 'check the path',
};

/** The printable parts of any thrown value. */
export function describeError(err: unknown): {
  code: string;
  message: string;
  hint?: string;
  details?: unknown;
  exitCode: number;
} {
  if (err instanceof CliError) {
    return { code: err.code, message: err.message, hint: err.hint, exitCode: err.exitCode };
  }
  if (err instanceof Error && err.name === 'StoreLocationError') {
    return {
      code: 'USAGE',
      message: err.message,
      hint: 'see `anygrid serve --help` (--store) and docs/scale-out.md',
      exitCode: USAGE_EXIT,
    };
  }
  if (err instanceof Error && err.name === 'StoreUnreachableError') {
    return {
      code: 'STORE_UNREACHABLE',
      message: err.message,
      hint: 'check --store / ANYGRID_STORE (postgres://user@host:port/db) and that PostgreSQL runs there',
      exitCode: 1,
    };
  }
  if (err instanceof AnygridError) {
    return {
      code: err.code,
      message: err.message,
      hint: notFoundHint(err) ?? hintFor(err.code),
      details: err.details,
      exitCode: 1,
    };
  }
  const sys = err as { code?: unknown; message?: unknown; path?: unknown };
  if (typeof sys?.code === 'string' && typeof sys.message === 'string') {
    const hint = SYSTEM_HINTS[sys.code] ?? 'check the paths and options given';
    return { code: sys.code, message: sys.message, hint, exitCode: 1 };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: 'INTERNAL',
    message,
    hint: 'this looks like a bug in anygrid; please report it with the command you ran',
    exitCode: 1,
  };
}

/** Prints an error to stderr (and as JSON on stdout with --json); returns the exit code. */
export function reportError(err: unknown, json: boolean): number {
  const d = describeError(err);
  if (json) {
    const body = { error: { code: d.code, message: d.message, details: d.details } };
    process.stdout.write(`${JSON.stringify(body)}\n`);
  }
  process.stderr.write(`error ${d.code}: ${d.message}\n`);
  if (d.hint) process.stderr.write(`  next: ${d.hint}\n`);
  return d.exitCode;
}
