/**
 * @module
 * Small pieces both dashboard pages draw: a link to a job's page that the router follows
 * without a reload, and times in the viewer's clock.
 */

import { h } from './element.js';

/** The path of a job's page: a URL people can share. */
export function jobPath(jobId: number): string {
  return `/dashboard/jobs/${jobId}`;
}

/** A link to a job's page (`data-route`: the router follows it in place). */
export function jobLink(jobId: number, text: string): HTMLAnchorElement {
  return h('a', { href: jobPath(jobId), 'data-route': '' }, text);
}

export function timeOf(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString('en-GB', { hour12: false });
}
