import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Process-level tests spawn plugins and simulators; two cores are shared.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
