import { describe } from 'vitest';
import { describeCheckpoints } from '../checkpoints.case.js';
import { describeCredit } from '../credit.case.js';
import { describeDashboard } from '../dashboard.case.js';
import { describeGraph } from '../graph.case.js';
import { describeHandBack } from '../handback.case.js';
import { describeHostMeasures } from '../host-measures.case.js';
import { describeHostRules } from '../host-rules.case.js';
import { describeLeadership } from '../leadership.case.js';
import { describeLedger } from '../ledger.case.js';
import { describeLiveness } from '../liveness.case.js';
import { describePlacement } from '../placement.case.js';
import { describeRetention } from '../retention.case.js';
import { describeStore } from '../store.case.js';
import { describeValidation } from '../validation.case.js';
import { describeVariants } from '../variants.case.js';
import { openPgStore, postgresPresent } from './pg-test-store.case.js';

// The store suite every adapter passes, on PostgreSQL, each store in a fresh schema.
describe.skipIf(!postgresPresent)('postgres', () => {
  const open = () => openPgStore();
  describeStore('postgres', open);
  describeHandBack('postgres', open);
  describeLedger('postgres', (rules) => openPgStore(rules));
  describeValidation('postgres', (random) => openPgStore({ random }));
  describeLiveness('postgres', open);
  describeCheckpoints('postgres', open);
  describeDashboard('postgres', open);
  describeGraph('postgres', async (again) => {
    const store = await openPgStore({}, again);
    return { store, path: store.url };
  });
  describeHostRules('postgres', (rules) => openPgStore(rules));
  describeHostMeasures('postgres', (rules) => openPgStore(rules));
  describePlacement('postgres', open);
  describeRetention('postgres', async (again) => {
    const store = await openPgStore({}, again);
    return { store, path: store.url };
  });
  describeVariants('postgres', open);
  describeCredit('postgres', (rules) => openPgStore(rules));
  // Two connections on one schema, as two coordinators hold the database.
  describeLeadership('postgres', async () => {
    const a = await openPgStore();
    const b = await openPgStore({}, a.url);
    return [a, b] as const;
  });
});
