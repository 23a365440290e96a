import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The workspace packages are used from source: their `dist` folders are build outputs.
    alias: {
      'mizan-react': source('../../../packages/mizan-react/src/index.ts'),
      'mizan-ts': source('../../../packages/mizan-ts/src/index.ts'),
    },
  },
  build: { outDir: 'dist', assetsDir: 'assets', emptyOutDir: true },
});
