/**
 * @module
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests,
 * so the description can never drift from what the coordinator enforces.
 */

import * as P from '@anygrid/protocol';
import { z } from 'zod';

type Op = {
  method: 'get' | 'post' | 'put' | 'patch' | 'head';
  path: string;
  summary: string;
  roles?: readonly string[];
  body?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  raw?: 'request' | 'response';
  stream?: boolean;
  /** Query parameters, one per key of this object schema. */
  query?: z.ZodObject;
  /** Answers one byte range (`Range` header) with 206 and `Content-Range`, 416 outside the blob. */
  ranges?: boolean;
};

const OPS: readonly Op[] = [
  { method: 'get', path: '/v1/health', summary: 'Liveness and version', response: P.Health },
  {
    method: 'get',
    path: '/v1/whoami',
    summary: 'The caller’s account and role',
    roles: ['any'],
    response: P.WhoAmI,
  },
  {
    method: 'post',
    path: '/v1/tokens',
    summary: 'Create an account token',
    roles: ['admin'],
    body: P.CreateTokenRequest,
    response: P.CreateTokenResponse,
    status: 201,
  },
  {
    method: 'get',
    path: '/v1/accounts',
    summary: 'Accounts with their fair-share weights and replicas queued, newest first',
    roles: ['admin'],
    response: P.AccountList,
  },
  {
    method: 'patch',
    path: '/v1/accounts/{id}',
    summary: 'Set an account’s fair-share weight (docs/scheduling.md)',
    roles: ['admin'],
    body: P.UpdateAccountRequest,
    response: P.AccountView,
  },
  {
    method: 'post',
    path: '/v1/accounts/{id}/credit',
    summary: 'Credit an account’s balance, once per idempotency key (docs/incentives.md)',
    roles: ['admin'],
    body: P.CreditRequest,
    response: P.MoneyResponse,
  },
  {
    method: 'post',
    path: '/v1/stake',
    summary: 'Move the provider’s balance or earnings into its stake, once per key',
    roles: ['provider'],
    body: P.StakeRequest,
    response: P.MoneyResponse,
  },
  {
    method: 'post',
    path: '/v1/unstake',
    summary: 'Move stake back into the provider’s balance, once per key',
    roles: ['provider'],
    body: P.UnstakeRequest,
    response: P.MoneyResponse,
  },
  {
    method: 'post',
    path: '/v1/payouts',
    summary: 'Mark a payout made from a provider’s earnings, once per key',
    roles: ['admin'],
    body: P.PayoutRequest,
    response: P.MoneyResponse,
  },
  {
    method: 'get',
    path: '/v1/payouts',
    summary: 'What each provider earned since a cursor',
    roles: ['admin'],
    query: P.PayoutsQuery,
    response: P.Payouts,
  },
  {
    method: 'get',
    path: '/v1/statement',
    summary: 'An account’s ledger entries after a cursor, with its balances',
    roles: ['any'],
    query: P.StatementQuery,
    response: P.Statement,
  },
  {
    method: 'get',
    path: '/v1/ledger/check',
    summary:
      'The ledger’s invariant: entries sum to zero, no forbidden negative balance, each valid replica of a paid job paid once',
    roles: ['admin'],
    response: P.LedgerCheck,
  },
  {
    method: 'put',
    path: '/v1/blobs/{hash}',
    summary: 'Upload bytes under their sha256',
    roles: ['requester', 'provider'],
    raw: 'request',
    response: P.BlobRef,
    status: 201,
  },
  {
    method: 'head',
    path: '/v1/blobs/{hash}',
    summary: 'Does the coordinator hold this blob?',
    roles: ['requester', 'provider'],
  },
  {
    method: 'get',
    path: '/v1/blobs/{hash}',
    summary: 'Download a blob, or one byte range of it (to resume a transfer)',
    roles: ['requester', 'provider'],
    raw: 'response',
    query: P.BlobDownloadQuery,
    ranges: true,
  },
  {
    method: 'post',
    path: '/v1/jobs',
    summary: 'Submit a job',
    roles: ['requester'],
    body: P.CreateJobRequest,
    response: P.JobView,
    status: 201,
  },
  {
    method: 'post',
    path: '/v1/jobs/{id}/tasks',
    summary: 'Add the next part of a job created with totalTasks',
    roles: ['requester'],
    body: P.AddTasksRequest,
    response: P.JobView,
  },
  {
    method: 'post',
    path: '/v1/quotes',
    summary:
      "A job's estimated cost (min, expected, max in micro-credits) and completion time from the connected hosts' asks, speeds and the queue ahead; nothing is reserved",
    roles: ['requester'],
    body: P.QuoteRequest,
    response: P.Quote,
  },
  {
    method: 'get',
    path: '/v1/jobs',
    summary: 'List own jobs (purged jobs are left out)',
    roles: ['requester'],
    response: P.JobList,
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}',
    summary: 'A job and its progress (410 JOB_PURGED once its retention ran out)',
    roles: ['requester'],
    response: P.JobView,
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/diagnostics',
    summary:
      "Why a job's tasks are not running: task states, and per requirement how many connected hosts fail it",
    roles: ['requester'],
    response: P.JobDiagnostics,
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/tasks/{index}',
    summary:
      'One task by index and its replicas: host, variant run (docs/variants.md), duration, outcome',
    roles: ['requester'],
    response: P.TaskView,
  },
  {
    method: 'post',
    path: '/v1/jobs/{id}/cancel',
    summary: 'Cancel a running job',
    roles: ['requester'],
    response: P.JobView,
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/results',
    summary: 'Settled results after a cursor (410 JOB_PURGED once purged)',
    roles: ['requester'],
    response: P.ResultPage,
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/events',
    summary: 'Results as server-sent events',
    roles: ['requester'],
    response: P.JobEvent,
    stream: true,
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}/tasks',
    summary:
      'A page of a job’s tasks by index, each with its replicas, their hosts and validation outcomes (the dashboard’s job page)',
    roles: ['requester'],
    query: P.JobTasksQuery,
    response: P.JobTaskPage,
  },
  {
    method: 'get',
    path: '/v1/events',
    summary:
      'The grid live, as server-sent events: the newest jobs and a snapshot of counters, then changed jobs and snapshots at most once a second (the dashboard)',
    roles: ['requester'],
    response: P.DashboardEvent,
    stream: true,
  },
  {
    method: 'post',
    path: '/v1/hosts',
    summary:
      'Register a provider host with its capabilities (cores, memory, free disk, benchmark speed, accelerators, region); again under its hostId, hand back every replica in progress not in holding',
    roles: ['provider'],
    body: P.RegisterHostRequest,
    response: P.RegisterHostResponse,
    status: 201,
  },
  {
    method: 'post',
    path: '/v1/volunteers',
    summary:
      'Make an anonymous provider account and token, no sign-up (the volunteer page); a few per address per hour (429 RATE_LIMITED)',
    body: P.VolunteerSignupRequest,
    response: P.VolunteerSignupResponse,
    status: 201,
  },
  {
    method: 'post',
    path: '/v1/volunteers/link',
    summary:
      'Move the caller’s hosts (with their records) to the account of another provider token',
    roles: ['provider'],
    body: P.LinkAccountRequest,
    response: P.LinkAccountResponse,
  },
  {
    method: 'get',
    path: '/v1/hosts',
    summary:
      'Hosts with capabilities, replica counts, reputation, what the coordinator measured (turnaround, on-time rate, availability, bandwidth), quota and quarantine (provider: own; admin: all)',
    roles: ['provider', 'admin'],
    response: P.HostList,
  },
  {
    method: 'get',
    path: '/v1/hosts/{id}',
    summary: 'One host (provider: own only; NOT_FOUND otherwise)',
    roles: ['provider', 'admin'],
    response: P.HostView,
  },
  {
    method: 'get',
    path: '/v1/leaderboard',
    summary: 'Volunteer credit ranked by host, account or team, by total or recent average',
    roles: ['any'],
    query: P.LeaderboardQuery,
    response: P.Leaderboard,
  },
  {
    method: 'post',
    path: '/v1/teams',
    summary: 'Create a team and move the caller’s account into it (CONFLICT: name taken)',
    roles: ['any'],
    body: P.TeamRequest,
    response: P.TeamView,
    status: 201,
  },
  {
    method: 'post',
    path: '/v1/teams/join',
    summary: 'Move the caller’s account into a team (NOT_FOUND: no such team)',
    roles: ['any'],
    body: P.TeamRequest,
    response: P.TeamView,
  },
  {
    method: 'post',
    path: '/v1/hosts/{id}/release',
    summary: 'Release a quarantined host so it gets work again',
    roles: ['admin'],
    response: P.ReleaseHostResponse,
  },
  {
    method: 'post',
    path: '/v1/work',
    summary: 'Pull up to max assignments, within the host’s in-flight bound (bufferSeconds)',
    roles: ['provider'],
    body: P.WorkRequest,
    response: P.WorkResponse,
  },
  {
    method: 'post',
    path: '/v1/reports',
    summary: 'Report finished replicas',
    roles: ['provider'],
    body: P.ReportBatch,
    response: P.ReportResponse,
  },
  {
    method: 'post',
    path: '/v1/heartbeat',
    summary:
      'Extend leases of running replicas; update carries a changed free disk or benchmark speed',
    roles: ['provider'],
    body: P.HeartbeatRequest,
    response: P.HeartbeatResponse,
  },
  {
    method: 'post',
    path: '/v1/checkpoints',
    summary: 'Keep the newest checkpoint and progress of a running replica',
    roles: ['provider'],
    body: P.CheckpointRequest,
    response: P.CheckpointResponse,
  },
  {
    method: 'post',
    path: '/v1/abandon',
    summary: 'Hand running replicas back',
    roles: ['provider'],
    body: P.AbandonRequest,
    response: P.AbandonResponse,
  },
];

const ErrorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.values(P.ErrorCode) as [string, ...string[]]),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

function schema(s: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });
}

export function buildOpenApi(version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = {
    description: 'Error',
    content: { 'application/json': { schema: schema(ErrorBodySchema, 'output') } },
  };
  for (const op of OPS) {
    const params: unknown[] = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: m[1] === 'id' ? 'integer' : 'string' },
    }));
    for (const [name, field] of Object.entries(op.query?.shape ?? {})) {
      params.push({
        name,
        in: 'query',
        required: false,
        schema: schema(field as z.ZodType, 'input'),
      });
    }
    if (op.ranges) {
      params.push({ name: 'range', in: 'header', required: false, schema: { type: 'string' } });
    }
    const okContent =
      op.raw === 'response'
        ? { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }
        : op.response
          ? {
              [op.stream ? 'text/event-stream' : 'application/json']: {
                schema: schema(op.response, 'output'),
              },
            }
          : undefined;
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = {
      summary: op.summary,
      ...(op.roles ? { security: [{ bearer: [] }], 'x-roles': op.roles } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schema(op.body, 'input') } },
            },
          }
        : op.raw === 'request'
          ? {
              requestBody: {
                required: true,
                content: {
                  'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
                },
              },
            }
          : {}),
      responses: {
        [String(op.status ?? 200)]: {
          description: 'OK',
          ...(okContent ? { content: okContent } : {}),
        },
        ...(op.ranges
          ? {
              '206': {
                description: 'The byte range asked for, with Content-Range',
                content: okContent,
              },
            }
          : {}),
        '4XX': errorResponse,
        '5XX': errorResponse,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Anygrid coordinator', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
