// Reads the fenced code blocks of the guide's Markdown and decides how each one is checked.
//
// Every fence must name its language; the language decides the check:
// - `rust` (with rustdoc's attributes such as `no_run`): compiled, and run unless `no_run`, as a
//   doctest of the `mizan-guide-check` crate, whose src/lib.rs must include the file;
// - `ts`, `tsx`: type-checked by check-snippets.mjs against the demo's generated client;
// - the languages of TEXT_LANGUAGES: shell commands, output, configuration, not code to compile.
// Anything else (no language, `ignore`, an unknown language) is refused, so no block can slip
// through unchecked.

/** Fence languages that are shown, not compiled: commands, output, data and configuration. */
export const TEXT_LANGUAGES = new Set(['sh', 'text', 'json', 'toml', 'html', 'http']);

/** The rustdoc attributes a `rust` fence may carry; `ignore` is not one of them. */
export const RUST_ATTRIBUTES = new Set(['no_run', 'should_panic', 'compile_fail']);

/**
 * The fenced blocks of a Markdown text, with the prelude of each TypeScript block.
 *
 * A TypeScript block that needs lines the reader should not see (an import, a `declare` of
 * something it uses) is preceded by an HTML comment, which Markdown renderers hide:
 *
 *     <!-- prelude
 *     import { useState } from 'react';
 *     -->
 *
 * @param {string} text the Markdown
 * @returns {{ kind: 'rust' | 'ts' | 'tsx' | 'text', info: string, line: number, code: string, prelude: string }[]}
 *   `line` is the 1-based line of the block's first code line
 */
export function extractBlocks(text, file = '<markdown>') {
  const lines = text.split('\n');
  const blocks = [];
  let pendingPrelude = null;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '<!-- prelude') {
      const end = lines.findIndex((l, j) => j > i && l.trim() === '-->');
      if (end < 0) throw new Error(`${file}:${i + 1}: a prelude comment is never closed with -->`);
      pendingPrelude = { text: lines.slice(i + 1, end).join('\n'), line: i + 1 };
      i = end;
      continue;
    }
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(line);
    if (!open) {
      if (line.trim() !== '' && pendingPrelude) {
        throw new Error(`${file}:${pendingPrelude.line}: a prelude must come right before a ts or tsx block`);
      }
      continue;
    }
    const [, indent, fence, rawInfo] = open;
    const info = (rawInfo ?? '').trim();
    const closeAt = lines.findIndex(
      (l, j) => j > i && l.startsWith(`${indent}${fence}`) && l.trim() === fence,
    );
    if (closeAt < 0) throw new Error(`${file}:${i + 1}: a code block is never closed`);
    const code = lines
      .slice(i + 1, closeAt)
      .map((l) => (l.startsWith(indent ?? '') ? l.slice((indent ?? '').length) : l))
      .join('\n');
    const kind = classify(info, `${file}:${i + 1}`);
    const prelude = pendingPrelude?.text ?? '';
    if (pendingPrelude && kind !== 'ts' && kind !== 'tsx') {
      throw new Error(`${file}:${pendingPrelude.line}: a prelude must come right before a ts or tsx block`);
    }
    pendingPrelude = null;
    blocks.push({ kind, info, line: i + 2, code, prelude });
    i = closeAt;
  }
  if (pendingPrelude) {
    throw new Error(`${file}:${pendingPrelude.line}: a prelude must come right before a ts or tsx block`);
  }
  return blocks;
}

/**
 * How a block with this info string is checked, or an error naming where it is.
 * @param {string} info the fence's info string (`rust,no_run`, `tsx`, ...)
 * @param {string} where `file:line`, for the error
 * @returns {'rust' | 'ts' | 'tsx' | 'text'}
 */
export function classify(info, where) {
  const [language = '', ...attributes] = info.split(',').map((part) => part.trim());
  if (language === '') {
    throw new Error(
      `${where}: a code block without a language (rustdoc would compile it as Rust): name one, ` +
        `such as rust, tsx, sh or text`,
    );
  }
  if (language === 'rust') {
    const refused = attributes.filter((a) => !RUST_ATTRIBUTES.has(a));
    if (refused.length > 0) {
      throw new Error(
        `${where}: rust block attribute(s) ${refused.join(', ')} not allowed (only ` +
          `${[...RUST_ATTRIBUTES].join(', ')}): every Rust snippet is compiled`,
      );
    }
    return 'rust';
  }
  if (attributes.length > 0) throw new Error(`${where}: attributes on a ${language} block: ${info}`);
  if (language === 'ts' || language === 'tsx') return language;
  if (TEXT_LANGUAGES.has(language)) return 'text';
  throw new Error(
    `${where}: unknown code block language "${language}": use rust, ts, tsx, or one of ` +
      `${[...TEXT_LANGUAGES].join(', ')}`,
  );
}

/**
 * The Markdown paths (relative to the repository root) a Rust source includes with
 * `include_str!("...")`, resolved against the source's own folder.
 * @param {string} source the Rust source text
 * @param {string} sourceDir the source's folder, relative to the repository root
 */
export function includedMarkdown(source, sourceDir) {
  const included = new Set();
  for (const match of source.matchAll(/include_str!\(\s*"([^"]+\.md)"\s*\)|chapter!\(\s*\w+\s*,\s*"([^"]+\.md)"\s*\)/g)) {
    const relative = match[1] ?? match[2] ?? '';
    included.add(normalize(`${sourceDir}/${relative}`));
  }
  return included;
}

/** `a/b/../c` → `a/c`, `./a` → `a`. */
export function normalize(path) {
  const parts = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}
