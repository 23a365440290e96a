// Bundles the worker entry with esbuild (already a dependency of the workspace), mizan-ts from
// its sources.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./entry.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    alias: { 'mizan-ts': fileURLToPath(new URL('../../../mizan-ts/src/index.ts', import.meta.url)) },
  });
  return result.outputFiles[0]!.text;
}
