// @vitest-environment node
// The parity corpus (crates/mizan/tests/parity/corpus.json) through the Zod schemas mizan-codegen
// generates for the corpus's functions (crates/mizan/tests/parity/client/, a golden file of the
// generator). The server runs the same corpus (crates/mizan/tests/parity.rs): both must accept
// and refuse the same params, at the same paths.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import * as schemas from '../../../crates/mizan/tests/parity/client/schemas.js';
import { fieldsFromIssues } from '../src/issues.js';

interface Case {
  fn: string;
  note: string;
  params: unknown;
  fields: (string | number)[][];
}

const corpus = JSON.parse(
  readFileSync(new URL('../../../crates/mizan/tests/parity/corpus.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

const inputSchema = (fn: string): ZodType => {
  const name = `${fn.charAt(0).toUpperCase()}${fn.slice(1)}InputSchema`;
  const schema = (schemas as Record<string, unknown>)[name];
  if (!schema) throw new Error(`no ${name} in the generated schemas`);
  return schema as ZodType;
};

const sortedPaths = (paths: readonly (readonly (string | number)[])[]): string[] =>
  paths.map((p) => JSON.stringify(p)).sort();

describe('parity corpus through the generated Zod schemas', () => {
  it('has enough cases', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(120);
  });

  it.each(corpus.cases.map((c) => [`${c.fn}: ${c.note}`, c] as const))('%s', (_, c) => {
    const result = inputSchema(c.fn).safeParse(c.params);
    const got = result.success ? [] : fieldsFromIssues(result.error.issues).map((f) => f.path);
    expect(sortedPaths(got)).toEqual(sortedPaths(c.fields));
  });
});
