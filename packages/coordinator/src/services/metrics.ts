/**
 * @module
 * Prometheus metrics of one coordinator process, in its own registry so several
 * coordinators can live in one test process.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { HostTally } from '../store/host-rows.js';
import type { Store } from '../store/store.js';
import type { Hub } from './hub.js';

/** Hosts given their own label on the per-host blob counters. */
export const HOST_LABELS = 1000;

export class Metrics {
  readonly registry = new Registry();
  readonly assigned = new Counter({
    name: 'anygrid_replicas_assigned_total',
    help: 'Replicas handed to providers.',
    registers: [this.registry],
  });
  readonly lostReplicas = new Counter({
    name: 'anygrid_replicas_lost_total',
    help: 'Replicas written to a host that its heartbeat did not list (the answer carrying them never arrived), handed to other hosts.',
    registers: [this.registry],
  });
  readonly reports = new Counter({
    name: 'anygrid_reports_total',
    help: 'Provider reports by status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly replicaOutcomes = new Counter({
    name: 'anygrid_replica_outcomes_total',
    help: 'What became of replicas sent to hosts: valid, invalid, errored, timed_out, abandoned, alone (accepted without comparison).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly blobBytesServed = new Counter({
    name: 'anygrid_blob_bytes_served_total',
    help: 'Bytes of modules, inputs and outputs downloaded from the blob store.',
    registers: [this.registry],
  });
  /**
   * Blob transfers by downloading host. A label per host is bounded: the first
   * `HOST_LABELS` hosts that name themselves get their own, later ones share `other`,
   * and a download without a host (a requester, an old agent) counts as `none`. A grid
   * of a few hundred hosts is what this view is for; a larger one sees the totals.
   */
  readonly blobDownloads = new Counter({
    name: 'anygrid_blob_downloads_total',
    help: 'Blob downloads begun from byte 0, by downloading host (first 1000 hosts; then "other").',
    labelNames: ['host'] as const,
    registers: [this.registry],
  });
  readonly blobResumes = new Counter({
    name: 'anygrid_blob_resumes_total',
    help: 'Blob downloads resumed past byte 0 (Range requests), by downloading host.',
    labelNames: ['host'] as const,
    registers: [this.registry],
  });
  readonly blobDownloadBytes = new Counter({
    name: 'anygrid_blob_download_bytes_total',
    help: 'Bytes of blobs answered to downloads, by downloading host.',
    labelNames: ['host'] as const,
    registers: [this.registry],
  });
  private readonly hostLabels = new Set<number>();
  readonly comparisons = new Counter({
    name: 'anygrid_comparisons_total',
    help: 'Numeric and validator comparisons by verdict (agree, disagree, failed).',
    labelNames: ['verdict'] as const,
    registers: [this.registry],
  });
  readonly http = new Histogram({
    name: 'anygrid_http_request_seconds',
    help: 'HTTP request duration by route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });

  /** Adds a store call's replica outcomes (one labelled increment per outcome seen). */
  countOutcomes(t: Readonly<HostTally>): void {
    if (t.valid) this.replicaOutcomes.inc({ outcome: 'valid' }, t.valid);
    if (t.invalid) this.replicaOutcomes.inc({ outcome: 'invalid' }, t.invalid);
    if (t.errored) this.replicaOutcomes.inc({ outcome: 'errored' }, t.errored);
    if (t.timedOut) this.replicaOutcomes.inc({ outcome: 'timed_out' }, t.timedOut);
    if (t.abandoned) this.replicaOutcomes.inc({ outcome: 'abandoned' }, t.abandoned);
    if (t.alone) this.replicaOutcomes.inc({ outcome: 'alone' }, t.alone);
  }

  /** Counts one blob download answer of `bytes` (a resume when it starts past byte 0). */
  countBlobDownload(host: number | undefined, bytes: number, resumed: boolean): void {
    const label = { host: this.hostLabel(host) };
    (resumed ? this.blobResumes : this.blobDownloads).inc(label);
    this.blobDownloadBytes.inc(label, bytes);
  }

  private hostLabel(host: number | undefined): string {
    if (host === undefined) return 'none';
    if (this.hostLabels.has(host)) return String(host);
    if (this.hostLabels.size >= HOST_LABELS) return 'other';
    this.hostLabels.add(host);
    return String(host);
  }

  /**
   * Exposes the size of this coordinator's ready queue (`anygrid_ready_queue`): a cache of
   * the store, so with several coordinators each has its own, and they may differ.
   */
  watchQueue(size: () => number): void {
    new Gauge({
      name: 'anygrid_ready_queue',
      help: "Replicas in this coordinator's ready queue (a cache of the store's unsent ones).",
      registers: [this.registry],
      collect() {
        this.set(size());
      },
    });
  }

  constructor(store: Store, hub: Hub) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'anygrid_replicas_unsent',
      help: 'Replicas waiting for a provider.',
      registers: [this.registry],
      async collect() {
        this.set((await store.stats()).unsent);
      },
    });
    new Gauge({
      name: 'anygrid_replicas_in_progress',
      help: 'Replicas running on providers.',
      registers: [this.registry],
      async collect() {
        this.set((await store.stats()).inProgress);
      },
    });
    new Gauge({
      name: 'anygrid_hosts',
      help: 'Registered hosts by state: active (may get work) or quarantined.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const { hosts, quarantinedHosts } = await store.stats();
        this.set({ state: 'active' }, hosts - quarantinedHosts);
        this.set({ state: 'quarantined' }, quarantinedHosts);
      },
    });
    new Gauge({
      name: 'anygrid_agents_connected',
      help: 'Provider hosts with an open push channel.',
      registers: [this.registry],
      collect() {
        this.set(hub.connectedAgents);
      },
    });
  }
}
