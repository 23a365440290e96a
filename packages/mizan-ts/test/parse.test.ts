// The strict parser of spec §1.1.5, beyond the shared vectors: precedence and the text entry point.
import { describe, expect, it } from 'vitest';
import { codeOf } from './helpers.js';
import {
  MizanCoreError,
  canonicalizeBytes,
  canonicalizeText,
  parseStrict,
  type CoreErrorCode,
} from '../src/index.js';


describe('parseStrict', () => {
  it('parses every JSON type', () => {
    expect(parseStrict('{"a":[1,-2,true,false,null,"s",{}],"b":{"c":[]}}')).toEqual({
      a: [1, -2, true, false, null, 's', {}],
      b: { c: [] },
    });
  });

  it('reads -0 as 0', () => {
    expect(Object.is(parseStrict('-0'), 0)).toBe(true);
  });

  it('makes "__proto__" an own member, not a prototype', () => {
    const v = parseStrict('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(canonicalizeText('{"b":0,"__proto__":1}')).toBe('{"__proto__":1,"b":0}');
    expect(codeOf(() => parseStrict('{"__proto__":1,"__proto__":2}'))).toBe('duplicate_key');
  });

  it('accepts bytes and text alike', () => {
    expect(parseStrict(new TextEncoder().encode('[1]'))).toEqual([1]);
    expect(canonicalizeBytes(new TextEncoder().encode(' { "b" : 1 , "a" : "é" } '))).toEqual(
      new TextEncoder().encode('{"a":"é","b":1}'),
    );
  });

  it('rejects inputs of other types with a code', () => {
    expect(codeOf(() => parseStrict(42 as unknown as string))).toBe('invalid_json');
    expect(codeOf(() => parseStrict(new ArrayBuffer(1) as unknown as Uint8Array))).toBe('invalid_json');
  });
});

describe('error precedence: the first error in input order wins', () => {
  it.each([
    ['[1.5, NaN]', 'float_not_allowed'],
    ['[NaN, 1.5]', 'non_finite_number'],
    ['[Infinity', 'non_finite_number'],
    ['NaNx', 'non_finite_number'],
    ['[9007199254740992, 1.5]', 'integer_out_of_range'],
    ['[1e5e', 'float_not_allowed'],
    ['1.5.3', 'float_not_allowed'],
    ['[1.e5]', 'invalid_json'],
    ['[1e]', 'invalid_json'],
    ['[1e+]', 'invalid_json'],
    ['[-]', 'invalid_json'],
    ['[-NaN]', 'invalid_json'],
    ['[nan]', 'invalid_json'],
    ['[Inf]', 'invalid_json'],
    ['{NaN:1}', 'invalid_json'],
    ['[.5]', 'invalid_json'],
    ['[-01]', 'invalid_json'],
    ['{"a":1,"a":NaN}', 'duplicate_key'],
    ['{"a":1,"a"}', 'duplicate_key'],
    ['{"a":NaN,"a":1}', 'non_finite_number'],
    ['["\\ud800", 1.5]', 'lone_surrogate'],
    ['[1.5, "\\ud800"]', 'float_not_allowed'],
    ['"\\ud800\\u12"', 'lone_surrogate'],
    ['"\\ud800\\x"', 'lone_surrogate'],
    ['"\\ud800', 'lone_surrogate'],
    ['"\\u12"', 'invalid_json'],
    ['"\\uD83D\\uDE00', 'invalid_json'],
    ['"\\U0041"', 'invalid_json'],
    ['"\\\'"', 'invalid_json'],
    ['"\u0000"', 'invalid_json'],
    ['"\u001f"', 'invalid_json'],
    ['[1 2]', 'invalid_json'],
    ['{"a" 1}', 'invalid_json'],
    ['{"a":1 "b":2}', 'invalid_json'],
    ['{,}', 'invalid_json'],
    ['[,]', 'invalid_json'],
    ['[1,]', 'invalid_json'],
    ['{"a":1,}', 'invalid_json'],
    ['\u00a0[]', 'invalid_json'],
    ['[]\u000b', 'invalid_json'],
    ['//\n1', 'invalid_json'],
    ['truefalse', 'invalid_json'],
  ] as const)('%j -> %s', (text, code) => {
    expect(codeOf(() => canonicalizeText(text))).toBe(code);
    expect(codeOf(() => canonicalizeBytes(new TextEncoder().encode(text)))).toBe(code);
  });

  it('reports depth at the 33rd bracket, before a later error', () => {
    expect(codeOf(() => canonicalizeText(`${'['.repeat(33)}NaN`))).toBe('depth_exceeded');
    expect(codeOf(() => canonicalizeText(`${'['.repeat(32)}NaN`))).toBe('non_finite_number');
    expect(codeOf(() => canonicalizeText(`[NaN,${'['.repeat(40)}`))).toBe('non_finite_number');
    expect(codeOf(() => canonicalizeText(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`))).toBe('depth_exceeded');
    expect(canonicalizeText(`${'{"a":'.repeat(32)}1${'}'.repeat(32)}`)).toBe(
      `${'{"a":'.repeat(32)}1${'}'.repeat(32)}`,
    );
  });

  it('does not overflow the stack on very deep input', () => {
    expect(codeOf(() => canonicalizeText('['.repeat(100_000)))).toBe('depth_exceeded');
  });

  it('checks UTF-8 before anything else', () => {
    expect(codeOf(() => canonicalizeBytes(new Uint8Array([0x5b, 0x4e, 0x61, 0x4e, 0x2c, 0xff, 0x5d])))).toBe(
      'invalid_utf8',
    );
    expect(codeOf(() => canonicalizeBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])))).toBe('invalid_json');
  });

  it('checks raw lone surrogates in text before parsing', () => {
    expect(codeOf(() => canonicalizeText('NaN "\ud800"'))).toBe('lone_surrogate');
    expect(codeOf(() => canonicalizeText('{"\udc00":1}'))).toBe('lone_surrogate');
    expect(canonicalizeText('{"\ud83d\ude00":1}')).toBe('{"😀":1}');
  });
});
