// The runtime's size budgets: src/index.ts bundled and minified as an app's bundler would, with
// what an app already ships (react, react-dom, TanStack Query, zod, and for forms react-hook-form
// and its resolvers) left out and the mizan-ts code it pulls in left in, then gzipped at level 9.
// Weighed twice: without the forms of spec §2.13 (src/forms/index.ts, which an app that uses no
// form drops when bundling) against the runtime's budget, and whole against the budget with
// forms. Exits 1 above either.
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const RUNTIME_LIMIT = 6144;
const WITH_FORMS_LIMIT = 11264;
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const formsEntry = here('../src/forms/index.ts');

async function weigh(withForms) {
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
        // Without forms: their entry becomes an empty module, so `export *` of it adds nothing.
        name: 'no-forms',
        setup(b) {
          if (withForms) return;
          b.onResolve({ filter: /^\.\/forms\/index\.js$/ }, () => ({
            path: formsEntry,
            namespace: 'empty',
          }));
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
for (const [label, withForms, limit] of [
  ['mizan-react', false, RUNTIME_LIMIT],
  ['mizan-react with forms', true, WITH_FORMS_LIMIT],
]) {
  const { minified, gzipped } = await weigh(withForms);
  console.log(`${label}: ${minified} B minified, ${gzipped} B min+gzip (limit ${limit} B)`);
  if (gzipped > limit) {
    console.error(`${label}: over the size budget by ${gzipped - limit} B`);
    over = true;
  }
}
if (over) process.exit(1);
