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

/** A column of the hosts table: its heading, width, how a host fills it. */
interface Column {
  readonly title: string;
  readonly width: number;
  /** Right-aligned (numbers) or left (words). */
  readonly right: boolean;
  readonly value: (h: HostView, now: number) => string;
  /** Dropped first when the terminal is too narrow: higher goes sooner; 0 never. */
  readonly drop: number;
}

const col = (
  title: string,
  width: number,
  right: boolean,
  drop: number,
  value: Column['value'],
): Column => ({ title, width, right, drop, value });

/**
 * The table's columns, left to right: id, state, account, platform, region, benchmark
 * speed, accelerators, counts, score, what the coordinator measured (on-time rate,
 * availability, turnaround), quota left today, volunteer credit (`-` from a coordinator
 * that does not list it); the name follows, as wide as it is.
 */
const COLUMNS: readonly Column[] = [
  col('ID', 5, true, 0, (h) => String(h.id)),
  col('STATE', 11, false, 0, (h, now) => hostState(h, now)),
  col('ACCOUNT', 14, false, 0, (h) => h.account.name),
  col('PLATFORM', 12, false, 3, (h) => h.platform),
  col('REGION', 10, false, 10, (h) => h.region ?? '-'),
  col('SPEED', 6, true, 4, (h) => formatSpeed(h.speed)),
  col('ACCEL', 6, false, 11, (h) => acceleratorsOf(h)),
  col('VALID', 6, true, 0, (h) => String(h.replicas.valid + h.replicas.alone)),
  col('INVALID', 7, true, 5, (h) => String(h.replicas.invalid)),
  col('ERROR', 5, true, 6, (h) => String(h.replicas.errored)),
  col('TIMEOUT', 7, true, 7, (h) => String(h.replicas.timedOut)),
  col('SCORE', 5, true, 0, (h) => h.reputation.score.toFixed(2)),
  col('ON-TIME', 7, true, 8, (h) => formatShare(h.measured.onTimeRate)),
  col('AVAIL', 5, true, 9, (h) => formatShare(h.measured.availability)),
  col('TURNAROUND', 10, true, 12, (h) => formatTurnaround(h.measured.turnaroundMs)),
  col('QUOTA LEFT', 10, true, 2, (h) => String(h.quota.leftToday)),
  col('CREDIT', 10, true, 1, (h) =>
    h.credit === undefined ? '-' : formatCredit(h.credit.totalMicro),
  ),
];

/** Room kept for the name at the end of a line when columns are dropped to fit. */
const NAME_ROOM = 12;

function headerOf(columns: readonly Column[]): string {
  return [
    ...columns.map((c) => (c.right ? c.title.padStart(c.width) : c.title.padEnd(c.width))),
    'NAME',
  ].join('  ');
}

function lineOf(h: HostView, now: number, columns: readonly Column[]): string {
  const cells = columns.map((c) => {
    const v = c.value(h, now);
    return c.right ? v.padStart(c.width) : cell(v, c.width);
  });
  return [...cells, h.name].join('  ');
}

/** Header matching `hostLine`. */
export const HOST_LINE_HEADER = headerOf(COLUMNS);

/** One line of the full table (every column), as `HOST_LINE_HEADER` heads it. */
export function hostLine(h: HostView, now = Date.now()): string {
  return lineOf(h, now, COLUMNS);
}

/**
 * The hosts table for a terminal `width` columns wide (undefined: not a terminal, every
 * column): the least telling columns are left out until a line fits with room for a
 * short name; `hidden` names them.
 */
export function hostTable(
  hosts: readonly HostView[],
  width?: number,
  now = Date.now(),
): { lines: string[]; hidden: string[] } {
  let columns = [...COLUMNS];
  const hidden: string[] = [];
  const fits = () => headerOf(columns).length - 'NAME'.length + NAME_ROOM <= (width ?? Infinity);
  while (!fits()) {
    const next = columns.reduce<Column | undefined>(
      (a, c) => (c.drop > (a?.drop ?? 0) ? c : a),
      undefined,
    );
    if (next === undefined) break;
    columns = columns.filter((c) => c !== next);
    hidden.push(next.title);
  }
  return { lines: [headerOf(columns), ...hosts.map((h) => lineOf(h, now, columns))], hidden };
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
