// Canonicalization of in-memory values (spec §1.1.1-§1.1.4 and the TypeScript rules of §1.1.5).
import { describe, expect, it } from 'vitest';
import { codeOf } from './helpers.js';
import { MizanCoreError, canonicalize, type CoreErrorCode } from '../src/index.js';


function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

describe('canonicalize: scalars', () => {
  it.each([
    [null, 'null'],
    [true, 'true'],
    [false, 'false'],
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-42, '-42'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    [Number.MIN_SAFE_INTEGER, '-9007199254740991'],
    [1e20 - 1e20 + 5, '5'],
    ['', '""'],
    ['plain', '"plain"'],
  ] as const)('%s -> %s', (value, text) => {
    expect(canonicalize(value)).toBe(text);
  });

  it.each([
    [Number.NaN, 'non_finite_number'],
    [Number.POSITIVE_INFINITY, 'non_finite_number'],
    [Number.NEGATIVE_INFINITY, 'non_finite_number'],
    [1.5, 'float_not_allowed'],
    [-0.5, 'float_not_allowed'],
    [Number.EPSILON, 'float_not_allowed'],
    [2 ** 53, 'integer_out_of_range'],
    [-(2 ** 53), 'integer_out_of_range'],
    [1e300, 'integer_out_of_range'],
  ] as const)('number %s -> %s', (value, code) => {
    expect(codeOf(() => canonicalize(value))).toBe(code);
  });
});

describe('canonicalize: strings', () => {
  it('escapes exactly the characters of §1.1.3', () => {
    expect(canonicalize('"\\\b\t\n\f\r')).toBe('"\\"\\\\\\b\\t\\n\\f\\r"');
    expect(canonicalize('\u0000\u0001\u000b\u001f')).toBe('"\\u0000\\u0001\\u000b\\u001f"');
    expect(canonicalize('/\u007f\u2028\u2029é😀')).toBe('"/\u007f\u2028\u2029é😀"');
  });

  it('keeps combining sequences as they are (no normalization)', () => {
    expect(canonicalize('e\u0301')).not.toBe(canonicalize('\u00e9'));
  });

  it.each([
    ['\ud800', 'lone high'],
    ['\udc00', 'lone low'],
    ['a\udc00\ud800b', 'reversed pair'],
    ['x\ud83d', 'high at the end'],
    ['\ud83d\ud83d\ude00', 'high before a pair'],
  ])('rejects %j (%s) as lone_surrogate', (s) => {
    expect(codeOf(() => canonicalize(s))).toBe('lone_surrogate');
    expect(codeOf(() => canonicalize({ [s]: 1 }))).toBe('lone_surrogate');
  });
});

describe('canonicalize: containers', () => {
  it('sorts keys by UTF-16 code units, not code points', () => {
    // U+1F600 is D83D DE00, which sorts before U+FF61.
    expect(canonicalize({ '\uff61': 1, '😀': 2 })).toBe('{"😀":2,"｡":1}');
    expect(canonicalize({ '\ue000': 1, '\u{10000}': 2, '\ud7ff': 3 })).toBe(
      '{"\ud7ff":3,"\u{10000}":2,"\ue000":1}',
    );
  });

  it('sorts integer-like keys as strings and prefixes first', () => {
    expect(canonicalize({ 10: 'a', 9: 'b', 1: 'c', '': 'd', ab: 1, a: 2 })).toBe(
      '{"":"d","1":"c","10":"a","9":"b","a":2,"ab":1}',
    );
  });

  it('omits undefined members but not null ones', () => {
    expect(canonicalize({ a: undefined, b: null, c: { d: undefined } })).toBe('{"b":null,"c":{}}');
  });

  it('keeps array order and writes no whitespace', () => {
    expect(canonicalize([3, [2, { z: 1, y: [] }], 'x'])).toBe('[3,[2,{"y":[],"z":1}],"x"]');
  });

  it('accepts null-prototype objects', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o['b'] = 1;
    o['a'] = 2;
    expect(canonicalize(o)).toBe('{"a":2,"b":1}');
  });

  it('writes an own "__proto__" member as an ordinary key', () => {
    const o = JSON.parse('{"__proto__":1,"a":2}') as unknown;
    expect(canonicalize(o)).toBe('{"__proto__":1,"a":2}');
  });

  it('ignores symbol keys and non-enumerable members, as JSON.stringify does', () => {
    const o: Record<string | symbol, unknown> = { a: 1, [Symbol('s')]: 2 };
    Object.defineProperty(o, 'hidden', { value: 3, enumerable: false });
    expect(canonicalize(o)).toBe('{"a":1}');
  });

  it('allows depth 32 and rejects depth 33', () => {
    expect(() => canonicalize(nested(32))).not.toThrow();
    expect(codeOf(() => canonicalize(nested(33)))).toBe('depth_exceeded');
  });

  it('reports a cyclic value as depth_exceeded instead of overflowing the stack', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(codeOf(() => canonicalize(a))).toBe('depth_exceeded');
    const o: Record<string, unknown> = {};
    o['self'] = o;
    expect(codeOf(() => canonicalize(o))).toBe('depth_exceeded');
  });
});

describe('canonicalize: unsupported values', () => {
  class Point {
    x = 1;
  }
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  it.each([
    ['undefined', undefined],
    ['undefined element', [1, undefined]],
    ['array hole', [1, , 3]],
    ['function', () => 1],
    ['function member', { f() {} }],
    ['symbol', Symbol('s')],
    ['bigint', 10n],
    ['bigint member', { n: 1n }],
    ['Date', new Date(0)],
    ['Map', new Map()],
    ['Set', new Set()],
    ['Uint8Array', new Uint8Array(2)],
    ['ArrayBuffer', new ArrayBuffer(2)],
    ['RegExp', /x/],
    ['boxed string', Object('s')],
    ['class instance', new Point()],
    ['Error', new Error('x')],
    ['Promise', Promise.resolve()],
    ['revoked proxy', revoked.proxy],
    ['throwing getter', { get a() { throw new RangeError('boom'); } }],
  ])('%s -> unsupported_value', (_, value) => {
    expect(codeOf(() => canonicalize(value))).toBe('unsupported_value');
  });

  it('keeps the cause of a foreign exception', () => {
    try {
      canonicalize({ get a() { throw new RangeError('boom'); } });
    } catch (error) {
      expect((error as MizanCoreError).cause).toBeInstanceOf(RangeError);
    }
  });

  it('does not call toJSON', () => {
    expect(codeOf(() => canonicalize({ toJSON: () => 1 }))).toBe('unsupported_value');
  });
});
