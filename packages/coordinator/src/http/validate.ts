/**
 * @module
 * Schema checks at the edge: every body, query and path parameter goes through its zod
 * schema from `@anygrid/protocol`, and a mismatch becomes INVALID_REQUEST listing each
 * problem with its path, so a client can fix all of them at once.
 */

import { InvalidRequestError } from '@anygrid/protocol';
import { z } from 'zod';

/** A zod schema, or a reader that checks the usual case itself and defers to one. */
export interface Checker<T> {
  safeParse(value: unknown): z.ZodSafeParseResult<T>;
}

export function parse<T>(schema: Checker<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((i) => ({
    path: i.path.map(String).join('.'),
    code: i.code,
    message: i.message,
  }));
  const first = issues[0];
  const summary = first ? `${first.path || where}: ${first.message}` : 'invalid';
  throw new InvalidRequestError(
    `Invalid ${where} — ${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}.`,
    {
      issues,
    },
  );
}

export const IdParam = z.strictObject({ id: z.coerce.number().int().positive() });
export const HashParam = z.strictObject({
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256'),
});
