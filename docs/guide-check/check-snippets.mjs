#!/usr/bin/env node
// Checks every code block of the guide (docs/guide/src/*.md) and of README.md:
// - every fence names a language this checker knows (snippets.mjs), so nothing slips through;
// - SUMMARY.md lists every chapter, and only chapters that exist;
// - every file with a ```rust block is included by docs/guide-check/src/lib.rs, whose doctests
//   (`cargo test -p mizan-guide-check --doc`) compile and run those blocks;
// - every ```ts / ```tsx block is written, after its prelude, to its own module in a temporary
//   project and type-checked with the workspace's tsc under the demo web app's compiler options
//   (strict, noUncheckedIndexedAccess), where `./mizan` is the demo's generated client and
//   `mizan-react` the package's sources.
//
// Usage: node docs/guide-check/check-snippets.mjs [--keep]   (--keep leaves the project for a look)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { extractBlocks, includedMarkdown } from './snippets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const guideDir = 'docs/guide/src';
const doctestLib = 'docs/guide-check/src/lib.rs';

function markdownFiles() {
  const chapters = readdirSync(join(root, guideDir))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `${guideDir}/${name}`);
  return ['README.md', ...chapters];
}

function main() {
  const keep = process.argv.includes('--keep');
  const included = includedMarkdown(readFileSync(join(root, doctestLib), 'utf8'), dirname(doctestLib));
  const problems = [];
  const snippets = [];
  const counts = { rust: 0, ts: 0, tsx: 0, text: 0 };
  for (const file of markdownFiles()) {
    let blocks;
    try {
      blocks = extractBlocks(readFileSync(join(root, file), 'utf8'), file);
    } catch (e) {
      problems.push(e.message);
      continue;
    }
    for (const block of blocks) counts[block.kind] += 1;
    if (blocks.some((b) => b.kind === 'rust') && !included.has(file)) {
      problems.push(`${file}: has rust blocks but ${doctestLib} does not include it (add a chapter! line)`);
    }
    blocks
      .filter((b) => b.kind === 'ts' || b.kind === 'tsx')
      .forEach((block, index) => snippets.push({ file, block, index }));
  }
  // The book's table of contents and its chapters agree: no chapter left out, no dead entry.
  const summary = readFileSync(join(root, guideDir, 'SUMMARY.md'), 'utf8');
  const listed = new Set([...summary.matchAll(/\]\(([^)#]+\.md)\)/g)].map((m) => `${guideDir}/${m[1]}`));
  for (const file of markdownFiles().filter((f) => f.startsWith(guideDir) && !f.endsWith('/SUMMARY.md'))) {
    if (!listed.has(file)) problems.push(`${file}: not listed in ${guideDir}/SUMMARY.md`);
  }
  for (const file of listed) {
    if (!markdownFiles().includes(file)) problems.push(`${guideDir}/SUMMARY.md lists ${file}, which does not exist`);
  }
  for (const file of included) {
    if (!markdownFiles().includes(file)) problems.push(`${doctestLib} includes ${file}, which is not checked here`);
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }

  const project = mkdtempSync(join(tmpdir(), 'mizan-guide-snippets-'));
  try {
    const sources = join(project, 'src');
    mkdirSync(sources);
    symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'), 'dir');
    symlinkSync(join(root, 'examples/demo/web/src/mizan'), join(sources, 'mizan'), 'dir');
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify(
        {
          extends: join(root, 'examples/demo/web/tsconfig.json'),
          compilerOptions: { noEmit: true },
          include: ['src/**/*.ts', 'src/**/*.tsx'],
        },
        null,
        2,
      ),
    );
    const origin = new Map();
    for (const { file, block, index } of snippets) {
      const name = `${file.replace(/^.*\//, '').replace(/\.md$/, '')}-${index + 1}.${block.kind}`;
      const prelude = block.prelude === '' ? '' : `${block.prelude}\n`;
      writeFileSync(join(sources, name), `${prelude}${block.code}\nexport {};\n`);
      origin.set(`src/${name}`, { file, line: block.line, preludeLines: prelude.split('\n').length - 1 });
    }
    const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: project,
      encoding: 'utf8',
    });
    const output = `${tsc.stdout}${tsc.stderr}`;
    if (tsc.status !== 0) {
      // Point each error at the Markdown line it comes from.
      console.error(
        output.replace(/^(src\/[^(]+)\((\d+),(\d+)\)/gm, (whole, path, line, column) => {
          const from = origin.get(path);
          if (!from) return whole;
          const inBlock = Number(line) - from.preludeLines;
          const where = inBlock >= 1 ? `${from.file}:${from.line + inBlock - 1}` : `${from.file} (prelude of the block at line ${from.line})`;
          return `${where}:${column} [${path}]`;
        }),
      );
      console.error(`guide snippets: tsc failed (project ${relative(root, project)}${keep ? ', kept' : ''})`);
      process.exitCode = 1;
      return;
    }
    console.log(
      `guide snippets: ${counts.rust} rust blocks (doctests of mizan-guide-check), ` +
        `${counts.ts + counts.tsx} ts/tsx blocks type-checked, ${counts.text} text blocks, ` +
        `in ${markdownFiles().length} files`,
    );
  } finally {
    if (!keep) rmSync(project, { recursive: true, force: true });
    else console.log(`kept ${project}`);
  }
}

main();
