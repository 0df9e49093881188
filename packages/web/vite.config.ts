/**
 * @module
 * Vite builds the coordinator's web pages into dist/: one HTML entry per page (the
 * coordinator serves dist/dashboard.html at /dashboard) and their hashed assets under
 * dist/assets/, which the coordinator serves at /assets/.
 */

import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        dashboard: resolve(import.meta.dirname, 'dashboard.html'),
      },
    },
  },
});
