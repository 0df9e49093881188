/**
 * @module
 * Human renderings of hosts for `anygrid hosts` and `anygrid host`: a table line per
 * host and a block of details for one.
 */

import type { HostView } from '@anygrid/protocol';
import { formatDuration } from './output.js';

/** Where a host stands: `active`, or `quarantined` while it gets no work. */
export function hostState(h: HostView): string {
  return h.quarantine ? 'quarantined' : 'active';
}

/** Header matching `hostLine`. */
export const HOST_LINE_HEADER = `${'ID'.padStart(5)}  ${'STATE'.padEnd(11)}  ${'ACCOUNT'.padEnd(14)}  ${'PLATFORM'.padEnd(12)}  ${'VALID'.padStart(6)}  ${'INVALID'.padStart(7)}  ${'ERROR'.padStart(5)}  ${'TIMEOUT'.padStart(7)}  ${'SCORE'.padStart(5)}  ${'QUOTA LEFT'.padStart(10)}  NAME`;

/** One line: id, state, account, platform, counts, score, quota left today, name. */
export function hostLine(h: HostView): string {
  const r = h.replicas;
  return [
    String(h.id).padStart(5),
    hostState(h).padEnd(11),
    h.account.name.slice(0, 14).padEnd(14),
    h.platform.slice(0, 12).padEnd(12),
    String(r.valid + r.alone).padStart(6),
    String(r.invalid).padStart(7),
    String(r.errored).padStart(5),
    String(r.timedOut).padStart(7),
    h.reputation.score.toFixed(2).padStart(5),
    String(h.quota.leftToday).padStart(10),
    h.name,
  ].join('  ');
}

/** Several lines describing one host. */
export function hostDetails(h: HostView, now = Date.now()): string[] {
  const r = h.replicas;
  const q = h.quarantine;
  return [
    `host ${h.id} "${h.name}": ${hostState(h)}`,
    ...(q
      ? [`  quarantine since ${new Date(q.at).toISOString()}: ${q.reason ?? 'no reason given'}`]
      : []),
    `  account    ${h.account.name} (${h.account.id})`,
    `  platform   ${h.platform}, ${h.cores} cores, ${Math.round(h.memoryBytes / 1048576)} MiB, ${h.slots} slots, agent ${h.agentVersion ?? 'unknown'}`,
    `  address    ${h.address ?? 'unknown'}`,
    `  seen       ${formatDuration(Math.max(0, now - h.lastSeen))} ago; registered ${new Date(h.createdAt).toISOString()}`,
    `  replicas   ${r.valid} valid, ${r.invalid} invalid, ${r.errored} errored, ${r.timedOut} timed out, ${r.abandoned} abandoned, ${r.alone} accepted alone`,
    `  score      ${h.reputation.score.toFixed(3)} (lower bound ${h.reputation.lowerBound.toFixed(3)}, from ${h.reputation.judged} judged replicas)`,
    // usedToday counts replicas not answered successfully (a report or hand-back gives
    // its share back), not all those sent today: docs/validation.md, "Daily quota".
    `  quota      ${h.quota.usedToday}/${h.quota.perDay} today (UTC) in unanswered, errored or timed-out replicas, ${h.quota.leftToday} left`,
  ];
}
