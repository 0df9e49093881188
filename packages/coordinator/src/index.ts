/**
 * @module
 * `@anygrid/coordinator`: start a coordinator in this process, or reuse its parts.
 */

export { WEB_PAGES } from './http/web-routes.js';
export {
  type Coordinator,
  type CoordinatorOptions,
  DEFAULT_MAX_HOSTS_PER_ACCOUNT,
  startCoordinator,
  VERSION,
} from './main.js';
export { Hub } from './services/hub.js';
export { Scheduler } from './services/scheduler.js';
export { migrationVersions } from './store/migrations.js';
export { describeStore, isStoreUrl, openStore } from './store/open-store.js';
export { StoreUnreachableError } from './store/postgres/pg-database.js';
export { PostgresStore } from './store/postgres/postgres-store.js';
export { SqliteStore, SqlStore } from './store/sqlite/sqlite-store.js';
export type { Placement, Principal, ReplicaPick, Store } from './store/store.js';
