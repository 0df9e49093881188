/**
 * @module
 * Placeholder entry of the dashboard page (the dashboard's own work fills `src/dashboard/`);
 * it keeps the multi-page build complete.
 */

export {};
