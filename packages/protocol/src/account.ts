/**
 * @module
 * Accounts and their bearer tokens. A token has one role: requesters submit and see
 * their own jobs, providers run work on their own hosts, admins run the coordinator.
 */

import { z } from 'zod';

export const Role = z.enum(['requester', 'provider', 'admin']);
export type Role = z.infer<typeof Role>;

export const CreateTokenRequest = z.strictObject({
  role: Role,
  /** Account name; a new account is created when absent or unknown. */
  account: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._@-]+$/)
    .optional(),
  label: z.string().max(200).optional(),
});
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

export const CreateTokenResponse = z.strictObject({
  token: z.string(),
  role: Role,
  accountId: z.number().int(),
  account: z.string(),
});
export type CreateTokenResponse = z.infer<typeof CreateTokenResponse>;

export const WhoAmI = z.strictObject({
  accountId: z.number().int(),
  account: z.string(),
  role: Role,
});
export type WhoAmI = z.infer<typeof WhoAmI>;

export const Health = z.strictObject({
  status: z.literal('ok'),
  version: z.string(),
  uptimeMs: z.number(),
  store: z.string(),
});
export type Health = z.infer<typeof Health>;
