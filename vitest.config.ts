import { defineConfig } from 'vitest/config';

// Unit tests import src directly; sandbox contract tests and end-to-end tests run the built
// binaries in dist/ (`npm test` builds first via `pretest`).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Child processes do the heavy lifting; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
  },
});
