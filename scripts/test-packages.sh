#!/usr/bin/env bash
# The npm packages as an application gets them: mizan-ts and mizan-react packed into tarballs,
# installed in a fresh application with their peers from the registry, then
#   - the tarballs hold the built dist/ with declarations and the licenses, and no tests;
#   - a strict TSX file using both packages type-checks (Bundler and NodeNext resolution, no
#     preserveSymlinks, declaration files checked too);
#   - both load in Node through their `exports`;
#   - the application has exactly one copy of @tanstack/query-core, react and zod, and npm finds
#     no missing or invalid dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash scripts/packaging/pack.sh "$work/tarballs" >/dev/null
ts_tarball=$(ls "$work"/tarballs/mizan-ts-*.tgz)
react_tarball=$(ls "$work"/tarballs/mizan-react-*.tgz)

for tarball in "$ts_tarball" "$react_tarball"; do
  listing=$(tar -tzf "$tarball")
  for needed in package/dist/index.js package/dist/index.d.ts package/LICENSE-MIT package/LICENSE-APACHE package/README.md; do
    grep -qx "$needed" <<<"$listing" || { echo "$(basename "$tarball") lacks $needed" >&2; exit 1; }
  done
  if grep -E '(^package/test/|\.test\.)' <<<"$listing"; then
    echo "$(basename "$tarball") ships tests" >&2; exit 1
  fi
done

app="$work/app"
cp -r scripts/packaging/npm-consumer "$app"
# The peers at the versions the demo's web app uses, so the npm cache of `npm ci` serves them.
node - "$app/package.json" "$ts_tarball" "$react_tarball" <<'NODE'
const fs = require('node:fs');
const [out, ts, react] = process.argv.slice(2);
const demo = JSON.parse(fs.readFileSync('examples/demo/web/package.json', 'utf8'));
const pick = (from, names) => Object.fromEntries(names.map((name) => {
  if (!from[name]) throw new Error(`examples/demo/web/package.json has no ${name}`);
  return [name, from[name]];
}));
fs.writeFileSync(out, JSON.stringify({
  name: 'mizan-package-consumer',
  private: true,
  type: 'module',
  dependencies: {
    'mizan-ts': `file:${ts}`,
    'mizan-react': `file:${react}`,
    ...pick(demo.dependencies, ['@hookform/resolvers', '@tanstack/react-query', 'react', 'react-dom', 'react-hook-form', 'zod']),
  },
  devDependencies: pick(demo.devDependencies, ['@types/react', '@types/react-dom', 'typescript']),
}, null, 2));
NODE
cd "$app"
npm install --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null

npx --no-install tsc -p tsconfig.json
npx --no-install tsc -p tsconfig.nodenext.json
echo "typecheck: a strict TSX file against the packed packages (Bundler and NodeNext resolution)"
node src/runtime.mjs

npm ls --all >/dev/null || { npm ls --all | grep -E 'invalid|missing|UNMET' >&2; exit 1; }
for single in @tanstack/query-core react zod mizan-ts; do
  copies=$(find node_modules -path "*node_modules/$single/package.json" | wc -l)
  if [ "$copies" -ne 1 ]; then
    echo "$copies copies of $single installed, expected one:" >&2
    find node_modules -path "*node_modules/$single/package.json" >&2
    exit 1
  fi
done
echo "one copy each of @tanstack/query-core, react, zod and mizan-ts"
echo "npm packages: packed, installed and type-checked as an application uses them"
