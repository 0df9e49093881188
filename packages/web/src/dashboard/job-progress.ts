/**
 * @module
 * A job's progress as a bar people and screen readers can read: the share of its tasks
 * settled (`aria-valuenow`, in whole percent), drawn as valid, failed and running
 * segments, with the counts in words beside it.
 */

import type { JobView } from '@anygrid/protocol';
import { h } from './element.js';

/** Settled tasks (valid, failed, no consensus, cancelled) in whole percent of the job. */
export function settledPercent(job: JobView): number {
  const p = job.progress;
  if (p.total === 0) return job.state === 'running' ? 0 : 100;
  const settled = p.valid + p.failed + p.noConsensus + p.cancelled;
  return Math.floor((settled / p.total) * 100);
}

export function progressBar(job: JobView): HTMLElement {
  const p = job.progress;
  const total = Math.max(p.total, 1);
  const share = (n: number) => `${((n / total) * 100).toFixed(2)}%`;
  const percent = settledPercent(job);
  const failed = p.failed + p.noConsensus;
  return h(
    'div',
    { class: 'progress' },
    h(
      'div',
      {
        class: 'meter',
        role: 'progressbar',
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': percent,
        'aria-label': `Job ${job.id} progress`,
        'data-job': job.id,
      },
      h('span', { class: 'seg valid', style: `width:${share(p.valid)}` }),
      h('span', { class: 'seg failed', style: `width:${share(failed)}` }),
      h('span', { class: 'seg cancelled', style: `width:${share(p.cancelled)}` }),
      h('span', { class: 'seg running', style: `width:${share(p.running ?? 0)}` }),
    ),
    h(
      'span',
      { class: 'counts' },
      `${percent} % · ${p.valid} valid`,
      failed > 0 ? ` · ${failed} failed` : '',
      p.cancelled > 0 ? ` · ${p.cancelled} cancelled` : '',
      ` of ${p.total}`,
    ),
  );
}
