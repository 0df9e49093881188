/**
 * @module
 * The grid at a glance (`/dashboard`): hosts online by kind, tasks by state, validated
 * tasks per second over time, jobs with progress bars (each a link to its page), and
 * the failures of running tasks with their codes. Redrawn from the grid state after
 * each event; the plot keeps its canvas.
 */

import type { FailureView, GridSnapshot, JobView } from '@anygrid/protocol';
import { h, replace } from './element.js';
import type { GridState } from './grid-state.js';
import { progressBar } from './job-progress.js';
import { RatePlot } from './rate-plot.js';
import { jobLink, timeOf } from './view-parts.js';

/** A view mounted in the page; `destroy` lets go of its listeners. */
export interface View {
  destroy(): void;
}

export function overviewView(root: HTMLElement, state: GridState): View {
  const hosts = h('div', { class: 'body' });
  const tasks = h('div', { class: 'body' });
  const rateNow = h('p', { class: 'rate-now' });
  const plotBox = h('div', {
    class: 'plot',
    role: 'img',
    'aria-label': 'Validated tasks per second over time',
  });
  const jobs = h('div', { class: 'body' });
  const failures = h('div', { class: 'body' });
  replace(
    root,
    h('h1', { tabindex: -1 }, 'Grid'),
    h(
      'div',
      { class: 'cards' },
      card('hosts', 'Hosts online', hosts),
      card('tasks', 'Tasks', tasks),
      card('rate', 'Validated tasks per second', rateNow, plotBox),
    ),
    card('jobs', 'Jobs', jobs),
    card('failures', 'Failures in running tasks', failures),
  );
  const plot = new RatePlot(plotBox);

  const draw = () => {
    const s = state.snapshot;
    if (s) {
      replace(hosts, hostsPart(s));
      replace(tasks, tasksPart(s));
      replace(failures, failuresPart(s));
    }
    const last = state.rates.at(-1);
    rateNow.textContent = last ? `${formatRate(last.rate)} now` : 'measuring…';
    plot.update(state.rates);
    replace(jobs, jobsPart(state.jobList()));
  };
  draw();
  const unsubscribe = state.subscribe(draw);
  return {
    destroy() {
      unsubscribe();
      plot.destroy();
    },
  };
}

function card(id: string, title: string, ...body: HTMLElement[]): HTMLElement {
  return h(
    'section',
    { class: 'card', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    ...body,
  );
}

function hostsPart(s: GridSnapshot): HTMLElement {
  if (s.hostsOnline.length === 0) return h('p', { class: 'empty' }, 'No hosts online.');
  const total = s.hostsOnline.reduce((n, k) => n + k.hosts, 0);
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'big' },
      String(total),
      h('span', { class: 'unit' }, total === 1 ? ' host' : ' hosts'),
    ),
    h(
      'ul',
      { class: 'kinds' },
      ...s.hostsOnline.map((k) =>
        h(
          'li',
          { 'data-platform': k.platform },
          h('span', { class: 'kind' }, k.platform),
          h(
            'span',
            {},
            `${k.hosts} ${k.hosts === 1 ? 'host' : 'hosts'} · ${k.slots} ${k.slots === 1 ? 'slot' : 'slots'}`,
          ),
        ),
      ),
    ),
  );
}

function tasksPart(s: GridSnapshot): HTMLElement {
  const rows: [string, number, string][] = [
    ['pending', s.tasks.pending, 'Pending'],
    ['valid', s.tasks.valid, 'Valid'],
    ['failed', s.tasks.failed, 'Failed'],
    ['no-consensus', s.tasks.noConsensus, 'No consensus'],
    ['cancelled', s.tasks.cancelled, 'Cancelled'],
    ['running', s.replicas.inProgress, 'Replicas running'],
    ['unsent', s.replicas.unsent, 'Replicas waiting'],
  ];
  return h(
    'dl',
    { class: 'counters' },
    ...rows.flatMap(([key, n, label]) => [
      h('dt', { class: key }, label),
      h('dd', { 'data-state': key }, n.toLocaleString('en')),
    ]),
  );
}

function jobsPart(jobs: readonly JobView[]): HTMLElement {
  if (jobs.length === 0) return h('p', { class: 'empty' }, 'No jobs yet.');
  return h(
    'ul',
    { class: 'jobs' },
    ...jobs.map((job) =>
      h(
        'li',
        { class: 'job', 'data-job': job.id },
        h(
          'div',
          { class: 'job-head' },
          jobLink(job.id, `#${job.id} ${job.name}`),
          h('span', { class: `badge ${job.state}` }, job.state),
        ),
        progressBar(job),
      ),
    ),
  );
}

function failuresPart(s: GridSnapshot): HTMLElement {
  if (s.failureCodes.length === 0) return h('p', { class: 'empty' }, 'No failures.');
  return h(
    'div',
    {},
    h(
      'ul',
      { class: 'codes', 'aria-label': 'Failures by code' },
      ...s.failureCodes.map((c) =>
        h('li', { 'data-code': c.code }, h('code', {}, c.code), ` × ${c.count}`),
      ),
    ),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'failures' },
        h('caption', {}, 'Newest failed replicas'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Job', 'Task', 'Host', 'Code', 'Message', 'When'].map((t) =>
              h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        h('tbody', {}, ...s.failures.map(failureRow)),
      ),
    ),
  );
}

function failureRow(f: FailureView): HTMLElement {
  return h(
    'tr',
    {},
    h('td', {}, jobLink(f.jobId, `#${f.jobId}`)),
    h('td', {}, String(f.taskIndex)),
    h('td', {}, f.hostId === null ? '—' : `${f.hostName ?? f.hostId} (${f.platform ?? '?'})`),
    h('td', {}, h('code', {}, f.code)),
    h('td', { class: 'message' }, f.message),
    h('td', {}, f.at === null ? '—' : timeOf(f.at)),
  );
}

function formatRate(rate: number): string {
  return `${rate < 10 ? rate.toFixed(1) : Math.round(rate).toLocaleString('en')} tasks/s`;
}
