/**
 * @module
 * The entry of each sandbox Web Worker of the volunteer page: the runtime's own worker,
 * imported here so that Vite sees `new Worker(new URL('./sandbox-worker.ts', …))` and
 * bundles it with everything it imports.
 */

import '@anygrid/runtime/browser/worker';
