/**
 * @module @anygrid/runtime/browser — the sandbox for browser hosts (the volunteer page).
 * Loads as plain ES modules from `dist/` (relative `.js` imports only, no bundler).
 */
export { BrowserSandbox, type CreateWorker } from './browser-sandbox.js';
