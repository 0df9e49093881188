/**
 * @module
 * The dashboard's API. `GET /v1/events` streams the grid as server-sent events: the
 * newest jobs and a snapshot of counters at once, then, whenever the hub reports a
 * change, a snapshot and the jobs that changed — gathered and read at most once a
 * second, so a grid settling thousands of tasks a second costs each open dashboard one
 * read a second, and the hot path only a set insert per changed job per transaction.
 * While nothing changes a snapshot still goes out every few seconds (the rate plot
 * falls to zero, hosts that went silent drop out). `GET /v1/jobs/{id}/tasks` pages
 * through one job's tasks with their replicas and hosts.
 */

import { type DashboardEvent, JobTasksQuery } from '@anygrid/protocol';
import type { FastifyInstance } from 'fastify';
import { CHANGED_JOBS_PER_EVENT, type Dashboard } from '../services/dashboard.js';
import type { Hub } from '../services/hub.js';
import { principalOf } from './auth.js';
import { openEventStream } from './event-stream.js';
import { REQUESTER_ROLES } from './requester-routes.js';
import { IdParam, parse } from './validate.js';

/** Least time between two reads of one stream. */
export const MIN_INTERVAL_MS = 1000;
/** A snapshot this often while nothing changes. */
export const IDLE_INTERVAL_MS = 5000;

export function dashboardRoutes(app: FastifyInstance, dashboard: Dashboard, hub: Hub): void {
  const config = { roles: REQUESTER_ROLES };

  app.get('/v1/jobs/:id/tasks', { config }, async (request) => {
    const { id } = parse(IdParam, request.params, 'path');
    const q = parse(JobTasksQuery, request.query, 'query');
    return dashboard.tasks(principalOf(request), id, q);
  });

  app.get('/v1/events', { config }, async (request, reply) => {
    const principal = principalOf(request);
    const res = openEventStream(reply);
    let closed = false;
    const changed = new Set<number>();
    /** Something changed since the last read began. */
    let pending = false;
    // The opening read below counts as the first: a change meanwhile waits its turn.
    let lastRead = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let reading: Promise<void> | undefined;

    const send = (event: DashboardEvent) =>
      new Promise<void>((resolve) => {
        const chunk = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
        if (res.write(chunk)) resolve();
        else res.once('drain', () => resolve());
      });

    const read = async () => {
      lastRead = Date.now();
      pending = false;
      const ids = [...changed].slice(0, CHANGED_JOBS_PER_EVENT);
      for (const id of ids) changed.delete(id);
      const jobs = await dashboard.changedJobs(principal, ids);
      if (closed) return;
      if (jobs.length > 0) await send({ type: 'jobs', full: false, jobs });
      const snapshot = await dashboard.snapshot(principal);
      if (!closed) await send({ type: 'snapshot', snapshot });
    };

    const run = () => {
      timer = undefined;
      // A read under way schedules the next when it ends.
      if (closed || reading) return;
      reading = read()
        .catch((err) => {
          request.log.warn({ err }, 'dashboard stream read failed');
        })
        .finally(() => {
          reading = undefined;
          // Changes during the read, or more changed jobs than one event carries.
          if (pending || changed.size > 0) schedule();
        });
    };

    function schedule(): void {
      if (timer || closed) return;
      timer = setTimeout(run, Math.max(0, lastRead + MIN_INTERVAL_MS - Date.now()));
    }

    const unsubscribe = hub.onGrid((jobIds) => {
      for (const id of jobIds) changed.add(id);
      pending = true;
      schedule();
    });
    const idle = setInterval(() => {
      pending = true;
      schedule();
    }, IDLE_INTERVAL_MS);
    // The response's close: the client went away (or the coordinator is closing).
    res.on('close', () => {
      closed = true;
      unsubscribe();
      clearInterval(idle);
      clearTimeout(timer);
    });

    try {
      const jobs = await dashboard.recentJobs(principal);
      await send({ type: 'jobs', full: true, jobs });
      await send({ type: 'snapshot', snapshot: await dashboard.snapshot(principal) });
      // A second snapshot a second later, so that a new dashboard shows a rate at once.
      pending = true;
      schedule();
    } catch (err) {
      request.log.warn({ err }, 'dashboard stream could not start');
      res.end();
    }
  });
}
