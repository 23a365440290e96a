// The error class and the code table (spec §1.7).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORE_ERROR_CODES, MizanCoreError, canonicalize, isMizanCoreError } from '../src/index.js';

describe('CORE_ERROR_CODES', () => {
  it('is exactly the table of spec §1.7, in order', () => {
    const spec = readFileSync(new URL('../../../spec/PROTOCOL.md', import.meta.url), 'utf8');
    const section = spec.slice(spec.indexOf('### 1.7'), spec.indexOf('### 1.8'));
    const codes = [...section.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(codes).toEqual([...CORE_ERROR_CODES]);
  });

  it('has 32 unique snake_case codes', () => {
    expect(new Set(CORE_ERROR_CODES).size).toBe(32);
    for (const code of CORE_ERROR_CODES) expect(code).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
  });
});

describe('MizanCoreError', () => {
  it('is an Error with a name, a code and a message that starts with the code', () => {
    const e = new MizanCoreError('invalid_json', 'at index 3');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('MizanCoreError');
    expect(e.code).toBe('invalid_json');
    expect(e.message).toBe('invalid_json: at index 3');
    expect(new MizanCoreError('expired').message).toBe('expired');
    expect(String(e)).toBe('MizanCoreError: invalid_json: at index 3');
    expect(e.stack).toBeTypeOf('string');
  });

  it('keeps a cause', () => {
    const cause = new TypeError('x');
    expect(new MizanCoreError('unsupported_value', 'y', { cause }).cause).toBe(cause);
  });

  it('is what the API throws', () => {
    let caught: unknown;
    try {
      canonicalize(1.5);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MizanCoreError);
    expect(isMizanCoreError(caught)).toBe(true);
    expect((caught as MizanCoreError).code).toBe('float_not_allowed');
  });

  it('is recognised by shape across copies of the package', () => {
    const foreign = Object.assign(new Error('x'), { name: 'MizanCoreError', code: 'expired' });
    expect(isMizanCoreError(foreign)).toBe(true);
    expect(isMizanCoreError(Object.assign(new Error('x'), { name: 'MizanCoreError', code: 'nope' }))).toBe(false);
    expect(isMizanCoreError(new Error('expired'))).toBe(false);
    expect(isMizanCoreError(null)).toBe(false);
    expect(isMizanCoreError('expired')).toBe(false);
  });
});
