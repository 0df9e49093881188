/**
 * @module
 * `@anygrid/coordinator`: start a coordinator in this process, or reuse its parts.
 */

export { type Coordinator, type CoordinatorOptions, startCoordinator, VERSION } from './main.js';
export { Hub } from './services/hub.js';
export { Scheduler } from './services/scheduler.js';
export { SqliteStore } from './store/sqlite/sqlite-store.js';
export type { Principal, Store } from './store/store.js';
