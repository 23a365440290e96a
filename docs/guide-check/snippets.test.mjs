// The rules of snippets.mjs: no code block of the guide escapes a check.
// Run: node --test docs/guide-check/
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { classify, extractBlocks, includedMarkdown } from './snippets.mjs';

const fence = '```';

test('blocks are classified by their fence language', () => {
  const text = [
    `${fence}rust`, 'let x = 1;', fence,
    `${fence}rust,no_run`, 'serve();', fence,
    `${fence}tsx`, 'const a = <p />;', fence,
    `${fence}sh`, 'ls', fence,
  ].join('\n');
  const blocks = extractBlocks(text);
  assert.deepEqual(blocks.map((b) => b.kind), ['rust', 'rust', 'tsx', 'text']);
  assert.equal(blocks[0]?.line, 2);
  assert.equal(blocks[2]?.code, 'const a = <p />;');
});

test('a block without a language is refused: rustdoc would compile it as Rust unchecked here', () => {
  assert.throws(() => extractBlocks(`text\n${fence}\nlet x = 1;\n${fence}\n`, 'a.md'), /a\.md:2: a code block without a language/);
});

test('rust,ignore and unknown attributes are refused', () => {
  assert.throws(() => classify('rust,ignore', 'a.md:1'), /ignore not allowed/);
  assert.throws(() => classify('rust,edition2018', 'a.md:1'), /edition2018 not allowed/);
  assert.equal(classify('rust,compile_fail', 'a.md:1'), 'rust');
});

test('an unknown language is refused, so a typo cannot skip the type check', () => {
  assert.throws(() => classify('typescript', 'a.md:3'), /a\.md:3: unknown code block language "typescript"/);
  assert.throws(() => classify('jsx', 'a.md:3'), /unknown code block language/);
  assert.throws(() => classify('tsx,ignore', 'a.md:3'), /attributes on a tsx block/);
});

test('a prelude comment is attached to the ts block right after it, and only there', () => {
  const text = ['<!-- prelude', "import { useState } from 'react';", '-->', `${fence}tsx`, 'useState(0);', fence].join('\n');
  const [block] = extractBlocks(text);
  assert.equal(block?.prelude, "import { useState } from 'react';");
  assert.equal(block?.line, 5);
  assert.throws(() => extractBlocks(['<!-- prelude', 'x', '-->', `${fence}rust`, 'y', fence].join('\n'), 'b.md'), /b\.md:1: a prelude must come right before a ts or tsx block/);
  assert.throws(() => extractBlocks(['<!-- prelude', 'x', '-->', 'prose', `${fence}ts`, 'y', fence].join('\n'), 'b.md'), /b\.md:1/);
  assert.throws(() => extractBlocks(['<!-- prelude', 'x'].join('\n'), 'b.md'), /never closed/);
});

test('an unclosed block is an error, not a silently shorter file', () => {
  assert.throws(() => extractBlocks(`${fence}rust\nlet x = 1;\n`, 'c.md'), /c\.md:1: a code block is never closed/);
});

test('longer fences may hold shorter ones', () => {
  const blocks = extractBlocks(['````text', fence, 'inside', fence, '````'].join('\n'));
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]?.kind, 'text');
});

test('the included chapters are read from chapter! lines and include_str! calls', () => {
  const source = 'chapter!(Readme, "../../../README.md");\n#[doc = include_str!("../../guide/src/auth.md")]';
  assert.deepEqual([...includedMarkdown(source, 'docs/guide-check/src')].sort(), ['README.md', 'docs/guide/src/auth.md']);
});
