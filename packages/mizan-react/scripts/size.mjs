// The runtime's size budget: src/index.ts bundled and minified as an app's bundler would, with
// what an app already ships (react, react-dom, TanStack Query, zod) left out and the mizan-ts code
// it pulls in left in, then gzipped at level 9. Exits 1 above the budget.
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const LIMIT = 6144;
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const result = await build({
  entryPoints: [here('../src/index.ts')],
  bundle: true,
  format: 'esm',
  minify: true,
  write: false,
  platform: 'browser',
  target: 'es2022',
  external: ['react', 'react-dom', '@tanstack/react-query', 'zod'],
  plugins: [
    {
      // mizan-ts from its sources, as the tests use it: its dist is a build output. Its
      // package.json (sideEffects: false) still applies, so unused modules are dropped.
      name: 'mizan-ts-source',
      setup(b) {
        b.onResolve({ filter: /^mizan-ts$/ }, () => ({
          path: here('../../mizan-ts/src/index.ts'),
        }));
      },
    },
  ],
  metafile: true,
});

const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).length;
const inputs = Object.entries(result.metafile.outputs)[0][1].inputs;
if (process.argv.includes('--verbose')) {
  for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
    console.log(`${String(bytesInOutput).padStart(6)}  ${file}`);
  }
}
console.log(`mizan-react: ${code.length} B minified, ${gzipped} B min+gzip (limit ${LIMIT} B)`);
if (gzipped > LIMIT) {
  console.error(`mizan-react: over the size budget by ${gzipped - LIMIT} B`);
  process.exit(1);
}
