/**
 * @module
 * Prometheus metrics of one coordinator process, in its own registry so several
 * coordinators can live in one test process.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/store.js';
import type { Hub } from './hub.js';

export class Metrics {
  readonly registry = new Registry();
  readonly assigned = new Counter({
    name: 'anygrid_replicas_assigned_total',
    help: 'Replicas handed to providers.',
    registers: [this.registry],
  });
  readonly reports = new Counter({
    name: 'anygrid_reports_total',
    help: 'Provider reports by status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly blobBytesServed = new Counter({
    name: 'anygrid_blob_bytes_served_total',
    help: 'Bytes of modules, inputs and outputs downloaded from the blob store.',
    registers: [this.registry],
  });
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
      name: 'anygrid_agents_connected',
      help: 'Provider hosts with an open push channel.',
      registers: [this.registry],
      collect() {
        this.set(hub.connectedAgents);
      },
    });
  }
}
