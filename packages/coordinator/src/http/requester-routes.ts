/**
 * @module
 * Requester routes: quote, submit, list, inspect, diagnose and cancel jobs, inspect one task and
 * its replicas, and page through results.
 * Admins may act as requesters (they see every job).
 */

import {
  QuoteRequest,
  type ResultPage,
  ResultsQuery,
  type Role,
  TaskPathParams,
} from '@anygrid/protocol';
import type { FastifyInstance } from 'fastify';
import type { Jobs } from '../services/jobs.js';
import type { Quotes } from '../services/quotes.js';
import { principalOf } from './auth.js';
import { AddTasksReader, CreateJobReader } from './task-list-reader.js';
import { IdParam, parse } from './validate.js';

export const REQUESTER_ROLES: readonly Role[] = ['requester', 'admin'];

/** Job bodies carry up to 200 k tasks of argv and input references. */
const JOB_BODY_LIMIT = 64 * 1024 * 1024;

export function requesterRoutes(app: FastifyInstance, jobs: Jobs, quotes: Quotes): void {
  const config = { roles: REQUESTER_ROLES };

  app.post('/v1/jobs', { config, bodyLimit: JOB_BODY_LIMIT }, async (request, reply) => {
    const body = parse(CreateJobReader, request.body, 'job');
    const job = await jobs.create(principalOf(request), body);
    return reply.status(201).send(job);
  });

  app.post('/v1/jobs/:id/tasks', { config, bodyLimit: JOB_BODY_LIMIT }, async (request) => {
    const { id } = parse(IdParam, request.params, 'path');
    const body = parse(AddTasksReader, request.body, 'part');
    return jobs.addTasks(principalOf(request), id, body);
  });

  // A job as it would be submitted (tasks or a count): its cost and completion time now.
  app.post('/v1/quotes', { config, bodyLimit: JOB_BODY_LIMIT }, async (request) => {
    const body = parse(QuoteRequest, request.body, 'quote');
    return quotes.quote(principalOf(request), body);
  });

  app.get('/v1/jobs', { config }, async (request) => ({
    jobs: await jobs.list(principalOf(request)),
  }));

  app.get('/v1/jobs/:id', { config }, async (request) => {
    const { id } = parse(IdParam, request.params, 'path');
    return jobs.get(principalOf(request), id);
  });

  app.get('/v1/jobs/:id/diagnostics', { config }, async (request) => {
    const { id } = parse(IdParam, request.params, 'path');
    return jobs.diagnose(principalOf(request), id);
  });

  app.get('/v1/jobs/:id/tasks/:index', { config }, async (request) => {
    const { id, index } = parse(TaskPathParams, request.params, 'path');
    return jobs.task(principalOf(request), id, index);
  });

  app.post('/v1/jobs/:id/cancel', { config }, async (request) => {
    const { id } = parse(IdParam, request.params, 'path');
    return jobs.cancel(principalOf(request), id);
  });

  app.get('/v1/jobs/:id/results', { config }, async (request): Promise<ResultPage> => {
    const { id } = parse(IdParam, request.params, 'path');
    const q = parse(ResultsQuery, request.query, 'query');
    const { job, results } = await jobs.results(principalOf(request), id, q.after, q.limit);
    const page = q.inline === 'true' ? results : results.map(stripInline);
    const next = results.at(-1)?.cursor ?? q.after;
    return { results: page, next, done: job.state !== 'running' && results.length < q.limit };
  });
}

function stripInline<
  T extends {
    stdout: { hash: string; size: number } | null;
    stderr: { hash: string; size: number } | null;
    files: Record<string, { hash: string; size: number }>;
  },
>(r: T): T {
  const ref = (o: { hash: string; size: number } | null) =>
    o ? { hash: o.hash, size: o.size } : null;
  return {
    ...r,
    stdout: ref(r.stdout),
    stderr: ref(r.stderr),
    files: Object.fromEntries(
      Object.entries(r.files).map(([k, v]) => [k, { hash: v.hash, size: v.size }]),
    ),
  };
}
