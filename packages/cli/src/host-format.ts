/**
 * @module
 * Human renderings of hosts for `anygrid hosts` and `anygrid host`: a table line per
 * host and a block of details for one.
 */

import type { HostView } from '@anygrid/protocol';
import { formatCredits } from './credit-amount.js';
import { creditText, formatCredit } from './credit-format.js';
import { formatBytes, formatDuration } from './output.js';

/**
 * Seen within this long: `online`. A coordinator lets a host miss 3 heartbeats of 30 s
 * before it takes its work back; a host quiet for longer is gone for now.
 */
export const ONLINE_MS = 2 * 60_000;

/** Where a host stands: `quarantined` while it gets no work, else `online` or `offline` by when it was last seen. */
export function hostState(h: HostView, now = Date.now()): string {
  if (h.quarantine) return 'quarantined';
  return now - h.lastSeen <= ONLINE_MS ? 'online' : 'offline';
}

/** A benchmark speed for humans, in ops/s with an SI prefix: 128M, 3.4G; `-` when unknown. */
export function formatSpeed(opsPerS: number | null): string {
  if (opsPerS === null) return '-';
  const units = ['', 'k', 'M', 'G', 'T'];
  let v = opsPerS;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

/** A share as a whole percentage, `-` when unknown. */
export function formatShare(share: number | null): string {
  return share === null ? '-' : `${Math.round(share * 100)}%`;
}

/** A turnaround for humans: 420ms under a second, else as formatDuration; `-` when unknown. */
export function formatTurnaround(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${Math.round(ms)}ms` : formatDuration(ms);
}

/** The host's accelerators in short: `cuda`, `2 cuda`, `cuda+webgpu`; `-` for none. */
function acceleratorsOf(h: HostView): string {
  if (h.accelerators.length === 0) return '-';
  const counts = new Map<string, number>();
  for (const a of h.accelerators) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => (n > 1 ? `${n} ${kind}` : kind)).join('+');
}

/** Header matching `hostLine`. */
export const HOST_LINE_HEADER = `${'ID'.padStart(5)}  ${'STATE'.padEnd(11)}  ${'ACCOUNT'.padEnd(14)}  ${'PLATFORM'.padEnd(12)}  ${'REGION'.padEnd(10)}  ${'SPEED'.padStart(6)}  ${'ACCEL'.padEnd(6)}  ${'VALID'.padStart(6)}  ${'INVALID'.padStart(7)}  ${'ERROR'.padStart(5)}  ${'TIMEOUT'.padStart(7)}  ${'SCORE'.padStart(5)}  ${'ON-TIME'.padStart(7)}  ${'AVAIL'.padStart(5)}  ${'TURNAROUND'.padStart(10)}  ${'QUOTA LEFT'.padStart(10)}  ${'CREDIT'.padStart(10)}  NAME`;

/**
 * One line: id, state, account, platform, region, benchmark speed, accelerators, counts,
 * score, what the coordinator measured (on-time rate, availability, turnaround), quota
 * left today, volunteer credit (`-` from a coordinator that does not list it), name.
 */
export function hostLine(h: HostView, now = Date.now()): string {
  const r = h.replicas;
  const m = h.measured;
  return [
    String(h.id).padStart(5),
    hostState(h, now).padEnd(11),
    cell(h.account.name, 14),
    cell(h.platform, 12),
    cell(h.region ?? '-', 10),
    formatSpeed(h.speed).padStart(6),
    cell(acceleratorsOf(h), 6),
    String(r.valid + r.alone).padStart(6),
    String(r.invalid).padStart(7),
    String(r.errored).padStart(5),
    String(r.timedOut).padStart(7),
    h.reputation.score.toFixed(2).padStart(5),
    formatShare(m.onTimeRate).padStart(7),
    formatShare(m.availability).padStart(5),
    formatTurnaround(m.turnaroundMs).padStart(10),
    String(h.quota.leftToday).padStart(10),
    (h.credit === undefined ? '-' : formatCredit(h.credit.totalMicro)).padStart(10),
    h.name,
  ].join('  ');
}

/** `text` in a column `width` wide: cut with an ellipsis, so a cut name does not read as another. */
function cell(text: string, width: number): string {
  return (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
}

/** Several lines describing one host. */
export function hostDetails(h: HostView, now = Date.now()): string[] {
  const r = h.replicas;
  const q = h.quarantine;
  return [
    `host ${h.id} "${h.name}": ${hostState(h, now)}`,
    ...(q
      ? [`  quarantine since ${new Date(q.at).toISOString()}: ${q.reason ?? 'no reason given'}`]
      : []),
    `  account    ${h.account.name} (${h.account.id})`,
    `  platform   ${h.platform}, ${h.cores} ${h.cores === 1 ? 'core' : 'cores'}, ${Math.round(h.memoryBytes / 1048576)} MiB, ${h.slots} ${h.slots === 1 ? 'slot' : 'slots'}, agent ${h.agentVersion ?? 'unknown'}`,
    `  speed      ${speedText(h)}; region ${h.region ?? 'none declared'}; free disk ${h.freeDiskBytes === null ? 'unknown' : formatBytes(h.freeDiskBytes)}`,
    `  devices    ${devicesText(h)}`,
    `  measured   ${measuredText(h)}`,
    `  address    ${h.address ?? 'unknown'}`,
    `  seen       ${formatDuration(Math.max(0, now - h.lastSeen))} ago; registered ${new Date(h.createdAt).toISOString()}`,
    `  replicas   ${r.valid} valid, ${r.invalid} invalid, ${r.errored} errored, ${r.timedOut} timed out, ${r.abandoned} abandoned, ${r.alone} accepted alone`,
    `  score      ${h.reputation.score.toFixed(3)} (lower bound ${h.reputation.lowerBound.toFixed(3)}, from ${h.reputation.judged} judged replicas)`,
    `  asks       ${asksText(h)}; stake ${formatCredits(h.stake)} credits${h.stake > 0 ? ` (adaptive warm-up ×${h.warmupShare.toFixed(2)})` : ''}`,
    // usedToday counts replicas not answered successfully (a report or hand-back gives
    // its share back), not all those sent today: docs/validation.md, "Daily quota".
    `  quota      ${h.quota.usedToday}/${h.quota.perDay} today (UTC) in unanswered, errored or timed-out replicas, ${h.quota.leftToday} left`,
    ...(h.credit === undefined ? [] : [`  credit     ${creditText(h.credit)}`]),
  ];
}

/** What the host asks per unit, in credits; a host asking nothing is a volunteer. */
function asksText(h: HostView): string {
  const a = h.asks;
  if (a.cpuSecond === 0 && a.memGiBSecond === 0 && a.gpuSecond === 0)
    return 'nothing (a volunteer)';
  return `${formatCredits(a.cpuSecond)} per CPU-second, ${formatCredits(a.memGiBSecond)} per GiB-second, ${formatCredits(a.gpuSecond)} per GPU-second`;
}

function speedText(h: HostView): string {
  return h.speed === null
    ? 'not measured'
    : `${formatSpeed(h.speed)} ops/s on the standard benchmark`;
}

function devicesText(h: HostView): string {
  if (h.accelerators.length === 0) return 'no accelerators';
  return h.accelerators
    .map(
      (a) =>
        `${a.kind} ${a.name}${a.memoryBytes === undefined ? '' : ` (${formatBytes(a.memoryBytes)})`}`,
    )
    .join(', ');
}

/** What the coordinator measured of the host (docs/protocol.md, "Host capabilities"). */
function measuredText(h: HostView): string {
  const m = h.measured;
  const bandwidth =
    m.bandwidthBytesPerS === null ? 'unknown' : `${formatBytes(m.bandwidthBytesPerS)}/s`;
  return `turnaround ${formatTurnaround(m.turnaroundMs)}, on time ${formatShare(m.onTimeRate)}, available ${formatShare(m.availability)} of the last day, bandwidth ${bandwidth}`;
}
