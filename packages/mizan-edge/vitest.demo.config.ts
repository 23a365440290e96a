import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The tests against the real demo server: `cargo build -p mizan-demo` first.
export default defineConfig({
  resolve: {
    alias: {
      'mizan-ts': fileURLToPath(new URL('../mizan-ts/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test-demo/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
