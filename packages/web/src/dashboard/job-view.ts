/**
 * @module
 * One job's page (`/dashboard/jobs/{id}`): its progress, live from the event stream, and
 * its tasks page by page, each with its replicas — the host that ran it, its state, the
 * validation outcome, exit code or failure code. The loaded pages are read again (at
 * most every two seconds) when the stream says the job changed, never on a timer.
 */

import type { JobTaskPage, JobView, ReplicaDetail, TaskDetail } from '@anygrid/protocol';
import { ApiError, getJson } from './coordinator-api.js';
import { h, replace } from './element.js';
import type { GridState } from './grid-state.js';
import { progressBar } from './job-progress.js';
import type { View } from './overview-view.js';

const PAGE = 100;
const REFRESH_MS = 2000;

export function jobView(root: HTMLElement, jobId: number, token: string, state: GridState): View {
  const summary = h('div', { class: 'body' }, h('p', { class: 'empty' }, 'Loading…'));
  const onlyFailed = h('input', { type: 'checkbox', id: 'only-failed' });
  const tbody = h('tbody', {});
  const more = h('button', { type: 'button', hidden: true }, 'Load more tasks');
  const note = h('p', { class: 'note', role: 'status' });
  replace(
    root,
    h('p', { class: 'crumbs' }, h('a', { href: '/dashboard', 'data-route': '' }, '← Grid')),
    h('h1', { tabindex: -1 }, `Job ${jobId}`),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'summary-title' },
      h('h2', { id: 'summary-title' }, 'Progress'),
      summary,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'tasks-title' },
      h('h2', { id: 'tasks-title' }, 'Tasks and replicas'),
      h(
        'p',
        { class: 'filter' },
        onlyFailed,
        h('label', { for: 'only-failed' }, ' Only tasks with failures'),
      ),
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'tasks' },
          h(
            'thead',
            {},
            h('tr', {}, ...['Task', 'State', 'Replicas'].map((t) => h('th', { scope: 'col' }, t))),
          ),
          tbody,
        ),
      ),
      note,
      more,
    ),
  );

  let loaded: TaskDetail[] = [];
  let next: number | null = -1;
  let lastSeen = '';
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let destroyed = false;

  const only = () => (onlyFailed.checked ? 'failed' : 'all');
  const fetchPage = (after: number, limit: number) =>
    getJson<JobTaskPage>(
      `/v1/jobs/${jobId}/tasks?after=${after}&limit=${limit}&only=${only()}`,
      token,
    );

  const showTasks = () => {
    replace(tbody, ...loaded.map(taskRow));
    more.hidden = next === null;
    note.textContent = loaded.length === 0 ? 'No tasks to show.' : `${loaded.length} tasks shown.`;
  };
  const fail = (err: unknown) => {
    const message =
      err instanceof ApiError && err.status === 404
        ? `There is no job ${jobId} this token may see.`
        : err instanceof Error
          ? err.message
          : String(err);
    replace(summary, h('p', { class: 'error', role: 'alert' }, message));
  };

  const loadMore = async () => {
    if (next === null) return;
    const page = await fetchPage(next, PAGE);
    loaded = loaded.concat(page.tasks);
    next = page.next;
    showTasks();
  };
  /** Reads again the tasks already shown (up to the API's page limit). */
  const refresh = async () => {
    refreshTimer = undefined;
    if (destroyed) return;
    const page = await fetchPage(-1, Math.min(500, Math.max(PAGE, loaded.length)));
    loaded = page.tasks;
    next = page.next;
    showTasks();
  };

  const drawJob = (job: JobView) => {
    replace(
      summary,
      h(
        'p',
        { class: 'job-head' },
        h('strong', {}, job.name),
        h('span', { class: `badge ${job.state}` }, job.state),
      ),
      progressBar(job),
      h(
        'p',
        { class: 'policy' },
        `redundancy ${job.policy.redundancy} · validation ${job.policy.validation.mode} · created ${new Date(job.createdAt).toLocaleString('en-GB')}`,
      ),
    );
  };

  const onState = () => {
    const job = state.jobs.get(jobId);
    if (!job) return;
    drawJob(job);
    const seen = JSON.stringify([job.state, job.progress]);
    if (seen !== lastSeen && lastSeen !== '' && !refreshTimer) {
      refreshTimer = setTimeout(() => void refresh().catch(fail), REFRESH_MS);
    }
    lastSeen = seen;
  };

  onlyFailed.addEventListener('change', () => {
    loaded = [];
    next = -1;
    void loadMore().catch(fail);
  });
  more.addEventListener('click', () => void loadMore().catch(fail));

  const unsubscribe = state.subscribe(onState);
  // The job may be older than the newest the stream lists: read it once.
  const known = state.jobs.get(jobId);
  if (known) onState();
  else
    void getJson<JobView>(`/v1/jobs/${jobId}`, token)
      .then((job) => {
        if (!state.jobs.has(jobId)) state.jobs.set(jobId, job);
        onState();
      })
      .catch(fail);
  void loadMore().catch(fail);

  return {
    destroy() {
      destroyed = true;
      unsubscribe();
      clearTimeout(refreshTimer);
    },
  };
}

function taskRow(t: TaskDetail): HTMLElement {
  return h(
    'tr',
    { 'data-task': t.index },
    h('td', {}, String(t.index)),
    h(
      'td',
      {},
      h('span', { class: `badge ${t.state}` }, t.state),
      t.reason
        ? h('div', { class: 'reason' }, h('code', {}, t.reason.code), ` ${t.reason.message}`)
        : null,
    ),
    h(
      'td',
      {},
      t.replicas.length === 0
        ? '—'
        : h('ul', { class: 'replicas' }, ...t.replicas.map(replicaItem)),
    ),
  );
}

function replicaItem(r: ReplicaDetail): HTMLElement {
  const outcome = r.validation ?? (r.error ? r.error.code : r.state);
  const facts = [
    r.exitCode !== null && !r.error ? `exit ${r.exitCode}` : '',
    r.durationMs !== null ? `${Math.round(r.durationMs)} ms` : '',
  ].filter(Boolean);
  return h(
    'li',
    { 'data-replica': r.id, 'data-outcome': outcome },
    h('span', { class: 'host' }, r.host ? `${r.host.name} (${r.host.platform})` : 'no host yet'),
    h(
      'span',
      { class: 'detail' },
      r.state.replace('_', ' '),
      r.validation ? h('span', { class: `badge ${r.validation}` }, r.validation) : null,
      r.error
        ? h('span', { class: 'fail' }, h('code', {}, r.error.code), ` ${r.error.message}`)
        : null,
      facts.length > 0 ? ` · ${facts.join(' · ')}` : '',
    ),
  );
}
