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

/** Which coordinator answered, among those sharing its store (docs/scale-out.md). */
export const CoordinatorStatus = z.strictObject({
  /** Its holder id, `hostname/pid/random`. */
  holder: z.string(),
  /** Whether it runs the duties that must run once now (it holds the leader lease). */
  leader: z.boolean(),
  /** The leader lease's holder and term as it last read them. */
  leaderHolder: z.string().nullable(),
  term: z.number().int().nullable(),
  /** How many coordinators share the store now, and its slot among them (0-based). */
  coordinators: z.number().int(),
  slot: z.number().int(),
});
export type CoordinatorStatus = z.infer<typeof CoordinatorStatus>;

export const Health = z.strictObject({
  status: z.literal('ok'),
  version: z.string(),
  uptimeMs: z.number(),
  store: z.string(),
  coordinator: CoordinatorStatus.optional(),
});
export type Health = z.infer<typeof Health>;

/** Largest share an account may have (fair share between accounts, docs/scheduling.md). */
export const MAX_ACCOUNT_SHARE = 1_000_000;
/** Smallest share: an account with it gets 1/100 of what an account of share 1 gets. */
export const MIN_ACCOUNT_SHARE = 0.01;

/** An account's weight in fair share: accounts with work waiting share the pool in proportion. */
export const AccountShare = z.number().min(MIN_ACCOUNT_SHARE).max(MAX_ACCOUNT_SHARE);

/** `PATCH /v1/accounts/{id}` (admin): what to change of an account. */
export const UpdateAccountRequest = z.strictObject({
  share: AccountShare,
});
export type UpdateAccountRequest = z.infer<typeof UpdateAccountRequest>;

/** An account as an admin sees it. */
export const AccountView = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  /** Its weight in fair share (default 1). */
  share: z.number(),
  /** When it was created (epoch ms). */
  createdAt: z.number().int(),
  /** Replicas of its jobs waiting in the scheduler's queue of this coordinator. */
  queued: z.number().int(),
});
export type AccountView = z.infer<typeof AccountView>;

/** `GET /v1/accounts` (admin): accounts, newest first. */
export const AccountList = z.strictObject({
  accounts: z.array(AccountView),
});
export type AccountList = z.infer<typeof AccountList>;
