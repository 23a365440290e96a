// The runtime's size budgets: src/index.ts bundled and minified as an app's bundler would, with
// what an app already ships (react, react-dom, TanStack Query, zod, and for forms react-hook-form
// and its resolvers) left out and the mizan-ts code it pulls in left in, then gzipped at level 9.
// Weighed three times: without the forms of spec §2.13 (src/forms/index.ts) and the channels of
// §2.15 (src/channels/index.ts), which an app that uses neither drops when bundling, against the
// runtime's budget; with forms against the budget with forms; and with channels against the budget
// with channels. Exits 1 above any.
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

// Raised by 256 B, 1 KiB and 1 KiB for the context cache (spec §2.16.4): every app that reads
// contexts now keeps the tags and revs of its reads, refetches them on purges and retries an
// unissued rev (about 900 B gzipped), and channel apps also watch those tags live (§2.16.5).
// Raised by 256 B each again for the hook options, the suspense hook and the invalidation helper
// (issue 13, about 190 B gzipped): TanStack's options are picked by name, so that none replaces
// Mizan's key, fetch or retry policy and those left out keep the QueryClient's defaults.
const RUNTIME_LIMIT = 6656;
const WITH_FORMS_LIMIT = 12544;
const WITH_CHANNELS_LIMIT = 10240;
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const optional = {
  forms: { entry: here('../src/forms/index.ts'), filter: /^\.\/forms\/index\.js$/ },
  channels: { entry: here('../src/channels/index.ts'), filter: /^\.\/channels\/index\.js$/ },
};

async function weigh(included) {
  const result = await build({
    entryPoints: [here('../src/index.ts')],
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    platform: 'browser',
    target: 'es2022',
    external: [
      'react',
      'react-dom',
      '@tanstack/react-query',
      'zod',
      'react-hook-form',
      '@hookform/resolvers/zod',
    ],
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
      {
        // A part left out: its entry becomes an empty module, so `export *` of it adds nothing.
        name: 'without',
        setup(b) {
          for (const [part, { entry, filter }] of Object.entries(optional)) {
            if (included === part) continue;
            b.onResolve({ filter }, () => ({ path: entry, namespace: 'empty' }));
          }
          b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: '', loader: 'ts' }));
        },
      },
    ],
    metafile: true,
  });
  const code = result.outputFiles[0].contents;
  if (process.argv.includes('--verbose')) {
    const inputs = Object.entries(result.metafile.outputs)[0][1].inputs;
    for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
      console.log(`${String(bytesInOutput).padStart(6)}  ${file}`);
    }
  }
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

let over = false;
for (const [label, included, limit] of [
  ['mizan-react', null, RUNTIME_LIMIT],
  ['mizan-react with forms', 'forms', WITH_FORMS_LIMIT],
  ['mizan-react with channels', 'channels', WITH_CHANNELS_LIMIT],
]) {
  const { minified, gzipped } = await weigh(included);
  console.log(`${label}: ${minified} B minified, ${gzipped} B min+gzip (limit ${limit} B)`);
  if (gzipped > limit) {
    console.error(`${label}: over the size budget by ${gzipped - limit} B`);
    over = true;
  }
}
if (over) process.exit(1);
