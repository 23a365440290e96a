import { describe, expect, it } from 'vitest';
import {
  MizanClient,
  MizanError,
  canonicalQuery,
  mizanQueryKey,
  percentEncode,
} from '../src/index.js';
import { fakeServer, json } from './helpers.js';

const client = new MizanClient();

describe('contextUrl (spec §2.3), against the Rust encoder', () => {
  it.each([
    ['greet', { name: 'Ada' }, 0, '/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D'],
    ['greet', { name: 'Ada' }, 3, '/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D&rev=3'],
    ['current_user', {}, 0, '/api/mizan/context/current_user'],
    ['current_user', {}, 3, '/api/mizan/context/current_user?rev=3'],
    ['current_user', {}, 7, '/api/mizan/context/current_user?rev=7'],
    [
      'greet',
      { name: 'Ada Lovelace', a: 'é~' },
      2,
      '/api/mizan/context/greet?p=%7B%22a%22%3A%22%C3%A9~%22%2C%22name%22%3A%22Ada%20Lovelace%22%7D&rev=2',
    ],
    ['contact.list', { page: 2 }, 0, '/api/mizan/context/contact.list?p=%7B%22page%22%3A2%7D'],
  ] as const)('%s %j rev %i', (name, params, rev, url) => {
    expect(client.contextUrl(name, params, rev)).toBe(url);
  });

  it('omits rev when undefined, and p when every member is undefined', () => {
    expect(client.contextUrl('greet', { name: 'Ada' })).toBe(
      '/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D',
    );
    expect(client.contextUrl('greet', { name: undefined })).toBe('/api/mizan/context/greet');
  });

  it('uses the base URL without its trailing slashes', () => {
    const c = new MizanClient({ baseUrl: 'https://api.example/mz//' });
    expect(c.contextUrl('x', {}, 1)).toBe('https://api.example/mz/context/x?rev=1');
  });

  it('writes keys in canonical order whatever the property order', () => {
    expect(client.contextUrl('f', { b: 1, a: [true, null] })).toBe(
      client.contextUrl('f', { a: [true, null], b: 1 }),
    );
    expect(canonicalQuery({ b: 1, a: 2 })).toBe('?p=%7B%22a%22%3A2%2C%22b%22%3A1%7D');
  });

  it('rejects params without a canonical form as the server would (malformed_json, status 0)', () => {
    let error: unknown;
    try {
      client.contextUrl('f', { x: 1.5 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MizanError);
    expect(error).toMatchObject({
      code: 'malformed_json',
      status: 0,
      details: { reason: 'float_not_allowed' },
    });
  });

  it.each([-1, 1.5, 2 ** 53, Number.NaN])('rejects rev %s (bad_request)', (rev) => {
    expect(() => client.contextUrl('f', {}, rev)).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
  });

  it('accepts the largest rev', () => {
    expect(client.contextUrl('f', {}, 2 ** 53 - 1)).toBe(
      '/api/mizan/context/f?rev=9007199254740991',
    );
  });
});

describe('percentEncode', () => {
  it('keeps only A-Z a-z 0-9 - . _ ~ and writes uppercase %XX over UTF-8', () => {
    expect(percentEncode('AZaz09-._~!\'()* /"+&=?#%')).toBe(
      'AZaz09-._~%21%27%28%29%2A%20%2F%22%2B%26%3D%3F%23%25',
    );
    expect(percentEncode('é😀\u{7f}')).toBe('%C3%A9%F0%9F%98%80%7F');
  });

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

describe('context()', () => {
  it('GETs the canonical URL with the credentials and extra headers, and resolves to the body', async () => {
    const server = fakeServer(() => json('Hello, Ada!'));
    const c = new MizanClient({
      fetch: server.fetch,
      credentials: 'include',
      headers: () => ({ authorization: 'Bearer t' }),
    });
    await expect(c.context<string>('greet', { name: 'Ada' })).resolves.toBe('Hello, Ada!');
    expect(server.seen).toEqual([
      {
        url: '/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D',
        method: 'GET',
        headers: { authorization: 'Bearer t' },
        credentials: 'include',
        body: undefined,
      },
    ]);
  });

  it('rejects params without a canonical form without a request', async () => {
    const server = fakeServer();
    const c = new MizanClient({ fetch: server.fetch });
    await expect(c.context('f', { x: Number.POSITIVE_INFINITY })).rejects.toMatchObject({
      code: 'malformed_json',
      details: { reason: 'non_finite_number' },
    });
    expect(server.seen).toHaveLength(0);
  });

  it('passes the abort signal to fetch', async () => {
    let signal: AbortSignal | null | undefined;
    const fetch = (async (_url: string, init: RequestInit) => {
      signal = init.signal;
      return json(1);
    }) as unknown as typeof globalThis.fetch;
    const controller = new AbortController();
    await new MizanClient({ fetch }).context('f', {}, 0, controller.signal);
    expect(signal).toBe(controller.signal);
  });
});

describe('mizanQueryKey', () => {
  it("is ['mizan', name, canonical(params), rev]", () => {
    expect(mizanQueryKey('greet', { name: 'Ada' }, 2)).toEqual([
      'mizan',
      'greet',
      '{"name":"Ada"}',
      2,
    ]);
    expect(mizanQueryKey('current_user', {})).toEqual(['mizan', 'current_user', '{}', 0]);
  });

  it('is equal for params that differ only in property order', () => {
    expect(mizanQueryKey('f', { a: 1, b: 2 })).toEqual(mizanQueryKey('f', { b: 2, a: 1 }));
  });

  it('does not throw for params without a canonical form (the fetch reports it)', () => {
    expect(mizanQueryKey('f', { x: 1.5 })).toEqual(['mizan', 'f', { x: 1.5 }, 0]);
  });
});
