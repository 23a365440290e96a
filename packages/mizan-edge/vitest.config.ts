import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run against mizan-ts's sources: its `dist` is a build output that a fresh clone lacks.
    alias: {
      'mizan-ts': fileURLToPath(new URL('../mizan-ts/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
