/**
 * @module
 * Volunteers: a provider that begins without signing up (the volunteer page). The
 * coordinator makes an anonymous provider account and token on request, a few per
 * address per hour; its hosts start untrusted like any new host. Later the volunteer may
 * link it to an account of their own by presenting that account's provider token: the
 * anonymous account's hosts, with their records, move there.
 */

import { z } from 'zod';

/** `POST /v1/volunteers`, public. */
export const VolunteerSignupRequest = z.strictObject({
  /** Shown to admins beside the token, e.g. the browser's name. */
  label: z.string().max(200).optional(),
});
export type VolunteerSignupRequest = z.infer<typeof VolunteerSignupRequest>;

export const VolunteerSignupResponse = z.strictObject({
  /** A provider token; shown once, kept by the volunteer (the page: in localStorage). */
  token: z.string(),
  accountId: z.number().int(),
  account: z.string(),
});
export type VolunteerSignupResponse = z.infer<typeof VolunteerSignupResponse>;

/** `POST /v1/volunteers/link`, with the anonymous account's token. */
export const LinkAccountRequest = z.strictObject({
  /** A provider token of the account to move this account's hosts to. */
  token: z.string().min(1).max(200),
});
export type LinkAccountRequest = z.infer<typeof LinkAccountRequest>;

export const LinkAccountResponse = z.strictObject({
  /** The account the hosts now belong to. */
  accountId: z.number().int(),
  account: z.string(),
  /** The hosts moved. */
  hostIds: z.array(z.number().int()),
});
export type LinkAccountResponse = z.infer<typeof LinkAccountResponse>;
