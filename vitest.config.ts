import { defineConfig } from 'vitest/config';

// Integration tests start real coordinator and agent processes; on a 2-core machine
// running test files one at a time keeps their timing honest.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    fileParallelism: false,
    // Integration tests run real processes on a loaded 2-core machine: generous, never tight.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
