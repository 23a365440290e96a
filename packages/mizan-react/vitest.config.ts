import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run against mizan-ts's sources: its `dist` is a build output that a fresh clone lacks.
    // Generated code under crates/ imports `mizan-react`, which is this package's sources.
    alias: {
      'mizan-ts': fileURLToPath(new URL('../mizan-ts/src/index.ts', import.meta.url)),
      'mizan-react': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'jsdom',
  },
});
