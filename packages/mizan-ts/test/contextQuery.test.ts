// The context query API as an edge worker uses it: building URLs, reading received queries, and
// the checks only TypeScript needs (its numbers and objects are looser than Rust's types). The
// byte-for-byte rules are in vectors.test.ts (query.json).
import { describe, expect, it } from 'vitest';
import {
  ContextQueryError,
  MizanCoreError,
  contextUrl,
  decodeContextQuery,
  encodeContextQuery,
  percentEncode,
} from '../src/index.js';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return expect.unreachable('no error thrown');
}

describe('contextUrl', () => {
  it('builds the one URL of a context read', () => {
    expect(contextUrl('https://example.com/api/mizan', 'greet', { name: 'Ada' }, 3)).toBe(
      'https://example.com/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D&rev=3',
    );
    expect(contextUrl('/api/mizan/', 'current_user')).toBe('/api/mizan/context/current_user');
    expect(contextUrl('/api/mizan//', 'contact.list', {}, 2)).toBe(
      '/api/mizan/context/contact.list?rev=2',
    );
  });

  it('refuses a name that breaks the naming rule (a path would change)', () => {
    for (const name of ['', 'a/b', '../x', 'a b', 'a.', '1a']) {
      const e = thrown(() => contextUrl('/api/mizan', name));
      expect(e).toBeInstanceOf(MizanCoreError);
      expect((e as MizanCoreError).code).toBe('invalid_function_name');
    }
  });

  it('round-trips through decodeContextQuery', () => {
    const url = new URL(contextUrl('https://x.test/m', 'f', { b: [1, 'é&=+'], a: null }, 9));
    expect(decodeContextQuery(url.search.slice(1))).toEqual({
      params: { a: null, b: [1, 'é&=+'] },
      rev: 9,
    });
  });
});

describe('encodeContextQuery', () => {
  it('leaves out undefined members, so params of only undefined give no p', () => {
    expect(encodeContextQuery({ a: undefined, b: 1 })).toBe('p=%7B%22b%22%3A1%7D');
    expect(encodeContextQuery({ a: undefined })).toBe('');
  });

  it.each([[[]], [null], [new Date(0)], ['{}']])('refuses params %j that are not a plain object', (params) => {
    const e = thrown(() => encodeContextQuery(params as unknown as Record<string, unknown>));
    expect(e).toBeInstanceOf(ContextQueryError);
    expect(e).toMatchObject({ code: 'validation_failed', status: 422, details: undefined });
  });

  it.each([-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY])('refuses rev %s', (rev) => {
    expect(thrown(() => encodeContextQuery({}, rev))).toMatchObject({
      code: 'bad_request',
      status: 400,
      details: { reason: 'invalid_rev' },
    });
  });

  it('checks params before rev, as the Rust encoder does', () => {
    expect(thrown(() => encodeContextQuery({ x: Number.NaN }, -1))).toMatchObject({
      code: 'malformed_json',
      details: { reason: 'non_finite_number' },
    });
  });
});

describe('decodeContextQuery', () => {
  it('reads no query as {} and rev 0, but refuses an empty one', () => {
    expect(decodeContextQuery(null)).toEqual({ params: {}, rev: 0 });
    expect(decodeContextQuery(undefined)).toEqual({ params: {}, rev: 0 });
    expect(thrown(() => decodeContextQuery(''))).toMatchObject({
      code: 'non_canonical_query',
      status: 400,
      details: { received: '' },
    });
  });

  it('refuses a literal lone surrogate like any other non-ASCII character', () => {
    const e = thrown(() => decodeContextQuery('p=%7B%22a%22%3A%22\ud800%22%7D'));
    expect(e).toBeInstanceOf(ContextQueryError);
    expect((e as ContextQueryError).details).toEqual({ received: 'p=%7B%22a%22%3A%22\ud800%22%7D' });
  });

  it('never accepts what the encoder would not write (round trip over generated params)', () => {
    const pieces = ['a', ' ', '+', '%', '&', '=', 'é', '😀', '"', '\\', '\n', '~', '*'];
    for (let i = 0; i < 200; i++) {
      const text = Array.from({ length: i % 7 }, (_, j) => pieces[(i * 7 + j * 3) % pieces.length]).join('');
      const params = i % 5 === 0 ? {} : { [text]: i % 2 === 0 ? text : [i, -i, null, { k: text }] };
      const query = encodeContextQuery(params, i % 3);
      if (query === '') continue;
      expect(decodeContextQuery(query)).toEqual({ params, rev: i % 3 });
    }
  });
});

describe('percentEncode', () => {
  it('matches a byte-by-byte reference over every ASCII character', () => {
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      const expected = /[A-Za-z0-9\-._~]/.test(ch)
        ? ch
        : `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
      expect(percentEncode(ch)).toBe(expected);
    }
  });
});
