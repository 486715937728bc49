import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// `npm run test:load`: the full load run (200 creates, 50 in flight). Its files end in `.load.ts`, so the
// main config (`test/**/*.test.ts`) never picks them up and `npm test` stays fast.
export default defineConfig({
  root: resolve(import.meta.dirname, '..', '..'),
  test: {
    include: ['test/load/**/*.load.ts'],
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
