// Property test: the TypeScript canonical JSON parser against the Rust one, on generated inputs.
// Every input, valid or not, must give both the same canonical bytes or the same error code. The
// Rust side is mizan-core's `canonical_oracle` example (crates/mizan-core/examples/), built with
// cargo (a no-op after `cargo test --workspace`) or taken from $MIZAN_CANONICAL_ORACLE.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MizanCoreError, canonicalizeBytes, toHex } from '../src/index.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const SEED = 20261129;
const TEXT_RUNS = 2000;
const BYTE_RUNS = 300;

/** Builds the oracle with cargo and returns the path of its executable. */
function buildOracle(): string {
  const fromEnv = process.env.MIZAN_CANONICAL_ORACLE;
  if (fromEnv) return fromEnv;
  const messages = execFileSync(
    'cargo',
    ['build', '--quiet', '--locked', '-p', 'mizan-core', '--example', 'canonical_oracle', '--message-format=json'],
    { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  for (const line of messages.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line) as { reason?: string; target?: { name?: string }; executable?: string | null };
    if (message.reason === 'compiler-artifact' && message.target?.name === 'canonical_oracle' && message.executable) {
      return message.executable;
    }
  }
  throw new Error('cargo built no canonical_oracle executable');
}

/** The Rust answers for `inputs`, one line each: `ok <hex>` or `err <code>`. */
function rustAnswers(oracle: string, inputs: readonly Uint8Array[]): string[] {
  const stdin = inputs.map((bytes) => toHex(bytes)).join('\n') + '\n';
  const out = execFileSync(oracle, [], { input: stdin, encoding: 'utf8', maxBuffer: 256 << 20 });
  return out.trimEnd().split('\n');
}

/** The TypeScript answer in the oracle's format. */
function tsAnswer(bytes: Uint8Array): string {
  try {
    return `ok ${toHex(canonicalizeBytes(bytes))}`;
  } catch (error) {
    if (error instanceof MizanCoreError) return `err ${error.code}`;
    return `threw ${String(error)}`;
  }
}

// ---- generators ---------------------------------------------------------------------------------

const ws = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n', '  ', '\u00a0', '\f', '\ufeff');

const numberText = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom(
    '0', '-0', '7', '-12', '1e3', '1E3', '1e+2', '1e-7', '1.0', '-0.0', '0e0', '-0e0', '0.5', '1.5e300',
    '1e400', '-1e400', '9007199254740991', '-9007199254740991', '9007199254740992', '-9007199254740992',
    '18446744073709551616', '123456789012345678901234567890', '00', '01', '-01', '-', '1.', '.5', '+1',
    '1e', '1e+', '0x10', 'Infinity', '-Infinity', 'NaN', '1_000',
  ),
);

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));
const stringPiece = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.string({ unit: loneSurrogate, maxLength: 2 }),
  fc.constantFrom(
    '\\n', '\\"', '\\\\', '\\/', '\\b', '\\f', '\\r', '\\t', '\\u0000', '\\u001f', '\\u001F', '\\u0020',
    '\\u0041', '\\u00e9', '\\u00E9', '\\u2028', '\\uffff', '\\uD83D\\uDE00', '\\ud83d\\ude00', '\\ud800',
    '\\udc00', '\\ud800\\u0041', '\\udc00\\ud800', '\\u12', '\\u12G4', '\\x41', '\\U0041', '\\', '\\a',
    '\u0000', '\u0001', '\n', '\u001f', '\u007f', 'é', 'e\u0301', '😀', '\uff61', '\u2028', '"',
  ),
);
const stringText = fc.array(stringPiece, { maxLength: 4 }).map((pieces) => `"${pieces.join('')}"`);
const keyText = fc.oneof(
  fc.constantFrom('"a"', '"b"', '"\\u0061"', '""', '"__proto__"', '"😀"', '"\uff61"', '"A"', '"aa"'),
  stringText,
);
const scalarText = fc.oneof(
  { weight: 3, arbitrary: numberText },
  { weight: 3, arbitrary: stringText },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', 'nul', 'True', 'undefined', "'a'") },
);

const { value: valueText } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: scalarText },
    { weight: 1, arbitrary: tie('array') },
    { weight: 1, arbitrary: tie('object') },
  ),
  array: fc
    .tuple(fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 4 }), fc.boolean())
    .map(([items, trailing]) => `[${items.map((i) => i.join('')).join(',')}${trailing && items.length ? ',' : ''}]`),
  object: fc
    .array(fc.tuple(ws, keyText, ws, tie('value'), ws), { maxLength: 4 })
    .map((members) => `{${members.map(([a, k, b, v, c]) => `${a}${k}${b}:${v}${c}`).join(',')}}`),
}));

/** Mostly valid objects over few keys: duplicates (also spelled with escapes) and key order. */
const cleanValue = fc.constantFrom('1', '-0', '"x"', 'null', 'true', '[]', '{}', '[1,"\\u00e9"]', '9007199254740991');
const smallObject = fc
  .array(fc.tuple(ws, fc.constantFrom('"a"', '"b"', '"\\u0061"', '"\uff61"', '"😀"', '""'), cleanValue), {
    minLength: 1,
    maxLength: 4,
  })
  .map((members) => `{${members.map(([w, k, v]) => `${w}${k}:${v}`).join(',')}}`);

/** Nesting around the depth limit of 32. */
const deepText = fc
  .tuple(fc.integer({ min: 28, max: 36 }), fc.boolean(), scalarText)
  .map(([depth, objects, inner]) =>
    objects ? '{"a":'.repeat(depth) + inner + '}'.repeat(depth) : '['.repeat(depth) + inner + ']'.repeat(depth),
  );

const documentText = fc
  .tuple(
    ws,
    fc.oneof(
      { weight: 7, arbitrary: valueText },
      { weight: 2, arbitrary: smallObject },
      { weight: 1, arbitrary: deepText },
    ),
    ws,
  )
  .map(([a, v, b]) => a + v + b);

const encoder = new TextEncoder();

/** Byte-level damage that text cannot express: invalid UTF-8, encoded surrogates, overlongs. */
const BAD_BYTES: readonly number[][] = [
  [0xff], [0x80], [0xc0, 0x80], [0xc1, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xe2, 0x82],
  [0xf0, 0x9f, 0x98], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xef, 0xbb, 0xbf], [0x00],
];
const damagedBytes = fc
  .tuple(documentText, fc.nat(), fc.constantFrom(...BAD_BYTES), fc.constantFrom('insert', 'replace', 'none', 'none', 'none', 'none', 'none', 'none'))
  .map(([text, at, bad, how]) => {
    const bytes = encoder.encode(text);
    if (how === 'none') return bytes;
    const i = bytes.length ? at % bytes.length : 0;
    const tail = bytes.subarray(how === 'replace' ? i + 1 : i);
    return Uint8Array.from([...bytes.subarray(0, i), ...bad, ...tail]);
  });

describe('canonical JSON: TypeScript against Rust on generated inputs', () => {
  let oracle = '';
  beforeAll(() => {
    oracle = buildOracle();
  }, 600_000);

  it(`agrees on ${TEXT_RUNS + BYTE_RUNS} inputs (seed ${SEED})`, () => {
    const inputs = [
      ...fc.sample(damagedBytes, { seed: SEED, numRuns: TEXT_RUNS }),
      ...fc.sample(fc.uint8Array({ maxLength: 24 }), { seed: SEED + 1, numRuns: BYTE_RUNS }),
    ];
    const rust = rustAnswers(oracle, inputs);
    expect(rust).toHaveLength(inputs.length);
    const disagreements = inputs
      .map((bytes, i) => ({ input: toHex(bytes), rust: rust[i], ts: tsAnswer(bytes) }))
      .filter((c) => c.rust !== c.ts);
    expect(disagreements.slice(0, 5)).toEqual([]);
    // The generators reach both sides of the parser and the interesting errors.
    const kinds = new Set(rust.map((line) => (line.startsWith('ok') ? 'ok' : line)));
    for (const kind of [
      'ok', 'err invalid_json', 'err invalid_utf8', 'err float_not_allowed', 'err integer_out_of_range',
      'err lone_surrogate', 'err duplicate_key', 'err depth_exceeded', 'err non_finite_number',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it('fails when the implementations disagree', () => {
    // The comparison is not vacuous: a wrong answer is seen as one.
    const bytes = encoder.encode('{"b":1,"a":2}');
    expect(rustAnswers(oracle, [bytes])).toEqual([tsAnswer(bytes)]);
    expect(rustAnswers(oracle, [bytes])).not.toEqual([tsAnswer(encoder.encode('{"a":2}'))]);
  });
});
