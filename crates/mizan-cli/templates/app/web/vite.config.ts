import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // `npm run dev` serves the page with hot reload and sends API requests to the Rust server
  // (`cargo run`); the page then fetches the current user instead of reading it from the HTML.
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
  build: { outDir: 'dist', assetsDir: 'assets', emptyOutDir: true },
});
