import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_BATCH_BYTES, MAX_BATCH_CALLS, MizanClient, MizanError } from '../src/index.js';
import { callServer, fakeServer, json, protocolError } from './helpers.js';

// Echoes the params back, except for `fail`, which is refused with 403.
const answer = (fn: string, params: unknown): unknown =>
  fn === 'fail' ? protocolError('forbidden', 403) : { fn, params };

describe('batching (spec §2.4)', () => {
  it('sends two calls of one tick as one POST /batch, in order, and splits the results', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch });
    const a = client.call('echo', { text: 'a' });
    const b = client.call('add', { a: 1, b: 2 });
    await expect(a).resolves.toEqual({ fn: 'echo', params: { text: 'a' } });
    await expect(b).resolves.toEqual({ fn: 'add', params: { a: 1, b: 2 } });
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]).toMatchObject({ url: '/api/mizan/batch', method: 'POST' });
    expect(server.seen[0]?.headers['content-type']).toBe('application/json');
    expect(server.seen[0]?.body).toBe(
      '{"calls":[{"fn":"echo","params":{"text":"a"}},{"fn":"add","params":{"a":1,"b":2}}]}',
    );
  });

  it('rejects only the promise of the item that failed, with its own error', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch });
    const results = await Promise.allSettled([
      client.call('echo', { text: 'a' }),
      client.call('fail', {}),
      client.call('echo', { text: 'c' }),
    ]);
    expect(results[0]).toEqual({
      status: 'fulfilled',
      value: { fn: 'echo', params: { text: 'a' } },
    });
    expect(results[1]).toMatchObject({
      status: 'rejected',
      reason: { code: 'forbidden', status: 403 },
    });
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(MizanError);
    expect(results[2]).toEqual({
      status: 'fulfilled',
      value: { fn: 'echo', params: { text: 'c' } },
    });
    expect(server.seen).toHaveLength(1);
  });

  it('sends a call alone to POST /call/<name> with the params as the body', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch });
    await expect(client.call('contact.submit', { text: 'a' })).resolves.toEqual({
      fn: 'contact.submit',
      params: { text: 'a' },
    });
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]).toMatchObject({
      url: '/api/mizan/call/contact.submit',
      method: 'POST',
      body: '{"text":"a"}',
      headers: { 'content-type': 'application/json' },
    });
  });

  it('splits 40 calls into batches of 32 and 8, each call getting its own result', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch });
    const outputs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => client.call('n', { i })),
    );
    expect(outputs).toEqual(Array.from({ length: 40 }, (_, i) => ({ fn: 'n', params: { i } })));
    expect(MAX_BATCH_CALLS).toBe(32);
    expect(server.seen.map((r) => r.url)).toEqual(['/api/mizan/batch', '/api/mizan/batch']);
    const sizes = server.seen.map(
      (r) => (JSON.parse(r.body ?? '') as { calls: unknown[] }).calls.length,
    );
    expect(sizes).toEqual([32, 8]);
  });

  it('sends the 33rd call of a tick alone to /call', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch });
    await Promise.all(Array.from({ length: 33 }, (_, i) => client.call('n', { i })));
    expect(server.seen.map((r) => r.url)).toEqual(['/api/mizan/batch', '/api/mizan/call/n']);
    expect(server.seen[1]?.body).toBe('{"i":32}');
  });

  it('keeps every batch body within the byte cap, splitting in call order', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch, batchBytes: 200 });
    // Each item is `{"fn":"n","params":{"i":<digit>,"s":"éé…"}}`, 62 bytes of UTF-8 (13 two-byte
    // characters), so three of them in `{"calls":[…]}` are exactly 200 bytes.
    const params = (i: number) => ({ i, s: 'é'.repeat(13) + '00' });
    const outputs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.call('n', params(i))),
    );
    expect(outputs).toEqual(Array.from({ length: 10 }, (_, i) => ({ fn: 'n', params: params(i) })));
    const bytes = server.seen.map((r) => new TextEncoder().encode(r.body ?? '').length);
    for (const b of bytes) expect(b).toBeLessThanOrEqual(200);
    expect(
      server.seen.map((r) => (JSON.parse(r.body ?? '') as { calls?: unknown[] }).calls?.length),
    ).toEqual([3, 3, 3, undefined]);
    expect(server.seen.map((r) => r.url).at(-1)).toBe('/api/mizan/call/n');
    const order = server.seen.flatMap((r) => {
      const body = JSON.parse(r.body ?? '') as { calls?: { params: { i: number } }[]; i?: number };
      return body.calls ? body.calls.map((c) => c.params.i) : [body.i];
    });
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('sends a call over the cap alone to /call, between its neighbours', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch, batchBytes: 100 });
    const big = { text: 'x'.repeat(500) };
    await Promise.all([
      client.call('a', {}),
      client.call('b', {}),
      client.call('big', big),
      client.call('c', {}),
      client.call('d', {}),
    ]);
    expect(server.seen.map((r) => r.url)).toEqual([
      '/api/mizan/batch',
      '/api/mizan/call/big',
      '/api/mizan/batch',
    ]);
    expect(server.seen[1]?.body).toBe(JSON.stringify(big));
  });

  it('sends the chunks of one tick one after another, never two at once', async () => {
    let inFlight = 0;
    let most = 0;
    const server = callServer(answer);
    const slow = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      try {
        return await server.fetch(input, init);
      } finally {
        inFlight--;
      }
    });
    const client = new MizanClient({ fetch: slow as unknown as typeof fetch, batchBytes: 120 });
    const outputs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.call('n', { i })),
    );
    expect(outputs).toEqual(Array.from({ length: 12 }, (_, i) => ({ fn: 'n', params: { i } })));
    expect(server.seen.length).toBeGreaterThan(2);
    expect(most).toBe(1);
  });

  it('goes on with the next chunk when one fails as a whole', async () => {
    const server = callServer(answer);
    server.mock.mockImplementationOnce(async () => protocolError('payload_too_large', 413));
    const client = new MizanClient({ fetch: server.fetch, batchBytes: 80 });
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => client.call('n', { i })),
    );
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(results[0]).toMatchObject({ reason: { code: 'payload_too_large' } });
    expect(server.mock).toHaveBeenCalledTimes(2);
  });

  it('caps batches below the server body limit by default', async () => {
    expect(DEFAULT_BATCH_BYTES).toBeLessThan(1 << 20);
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch });
    // 8 calls of 100 KB: 800 KB in all, over the default cap but under 32 calls.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => client.call('n', { i, s: 'x'.repeat(100_000) })),
    );
    expect(server.seen.length).toBeGreaterThan(1);
    for (const r of server.seen) {
      expect(r.body?.length ?? 0).toBeLessThanOrEqual(DEFAULT_BATCH_BYTES);
    }
  });

  it('does not batch calls of different ticks', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch });
    await client.call('a', {});
    await client.call('b', {});
    expect(server.seen.map((r) => r.url)).toEqual(['/api/mizan/call/a', '/api/mizan/call/b']);
  });

  it('batches calls made from microtasks queued before the flush', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch });
    const second = Promise.resolve().then(() => client.call('b', {}));
    const first = client.call('a', {});
    await Promise.all([first, second]);
    expect(server.seen.map((r) => r.url)).toEqual(['/api/mizan/batch']);
    expect(server.seen[0]?.body).toBe('{"calls":[{"fn":"a","params":{}},{"fn":"b","params":{}}]}');
  });

  it('sends calls made after the flush in the next request', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch });
    const first = client.call('a', {});
    const second = Promise.resolve().then(() => client.call('b', {}));
    await Promise.all([first, second]);
    expect(server.seen.map((r) => r.url)).toEqual(['/api/mizan/call/a', '/api/mizan/call/b']);
  });

  it('sends every call alone when batch is false', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch, batch: false });
    await Promise.all([client.call('a', {}), client.call('b', {})]);
    expect(server.seen.map((r) => r.url).sort()).toEqual([
      '/api/mizan/call/a',
      '/api/mizan/call/b',
    ]);
  });

  it('fails every call with the error of a batch that failed as a whole', async () => {
    const server = callServer(answer);
    server.mock.mockImplementationOnce(async () => protocolError('unauthenticated', 401));
    const client = new MizanClient({ fetch: server.fetch });
    const results = await Promise.allSettled([client.call('a', {}), client.call('b', {})]);
    for (const r of results)
      expect(r).toMatchObject({
        status: 'rejected',
        reason: { code: 'unauthenticated', status: 401 },
      });
  });

  it('fails every call with invalid_response when the results do not match the calls', async () => {
    const server = callServer(answer);
    server.mock.mockImplementationOnce(async () => json({ results: [{ ok: true, data: 1 }] }));
    const client = new MizanClient({ fetch: server.fetch });
    const results = await Promise.allSettled([client.call('a', {}), client.call('b', {})]);
    for (const r of results)
      expect(r).toMatchObject({ status: 'rejected', reason: { code: 'invalid_response' } });
  });

  it('fails only the item that is malformed', async () => {
    const server = callServer(answer);
    server.mock.mockImplementationOnce(async () =>
      json({
        results: [{ ok: true, data: null }, { ok: 'yes' }, { ok: false, error: { code: 'x' } }],
      }),
    );
    const client = new MizanClient({ fetch: server.fetch });
    const results = await Promise.allSettled([
      client.call('a', {}),
      client.call('b', {}),
      client.call('c', {}),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: null });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'invalid_response' } });
    expect(results[2]).toMatchObject({ status: 'rejected', reason: { code: 'invalid_response' } });
  });

  it('fails only the call whose params cannot be written as JSON', async () => {
    const server = callServer(answer);
    const client = new MizanClient({ fetch: server.fetch });
    const results = await Promise.allSettled([
      client.call('a', { n: 1n }),
      client.call('b', { x: 1.5 }),
    ]);
    expect(results[0]).toMatchObject({
      status: 'rejected',
      reason: { code: 'malformed_json', status: 0 },
    });
    // Calls take floats (spec §2.2), unlike context params.
    expect(results[1]).toEqual({ status: 'fulfilled', value: { fn: 'b', params: { x: 1.5 } } });
    expect(server.seen.map((r) => r.url)).toEqual(['/api/mizan/call/b']);
  });
});

describe('request options', () => {
  it('sends the CSRF header from the cookie on POST only', async () => {
    document.cookie = 'other=1';
    document.cookie = 'csrftoken=abc%20123';
    try {
      const server = fakeServer(() => json(null));
      const client = new MizanClient({
        fetch: server.fetch,
        csrf: { header: 'X-CSRFToken', cookie: 'csrftoken' },
      });
      await client.call('a', {});
      await client.context('c', {});
      expect(server.seen[0]?.headers['X-CSRFToken']).toBe('abc 123');
      expect(server.seen[0]?.headers['x-mizan-csrf']).toBe('abc 123');
      expect(server.seen[1]?.headers).not.toHaveProperty('X-CSRFToken');
      expect(server.seen[1]?.headers).not.toHaveProperty('x-mizan-csrf');
    } finally {
      document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
      document.cookie = 'other=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
    }
  });

  it('still sends the CSRF header when the cookie is absent', async () => {
    const server = callServer(answer);
    const client = new MizanClient({
      fetch: server.fetch,
      csrf: { header: 'X-CSRFToken', cookie: 'csrftoken' },
    });
    await client.call('a', {});
    expect(server.seen[0]?.headers).toEqual({
      'content-type': 'application/json',
      'x-mizan-csrf': '1',
      'X-CSRFToken': '1',
    });
  });

  it('sends X-Mizan-CSRF on every POST without any option (spec §2.5)', async () => {
    const server = callServer(answer);
    await new MizanClient({ fetch: server.fetch }).call('a', {});
    expect(server.seen[0]?.headers).toEqual({
      'content-type': 'application/json',
      'x-mizan-csrf': '1',
    });
  });

  it("defaults credentials to 'same-origin' and passes the configured one", async () => {
    const server = callServer(answer);
    await new MizanClient({ fetch: server.fetch }).call('a', {});
    await new MizanClient({ fetch: server.fetch, credentials: 'include' }).call('a', {});
    expect(server.seen.map((r) => r.credentials)).toEqual(['same-origin', 'include']);
  });

  it('asks for the extra headers on every request', async () => {
    const server = callServer(answer);
    let n = 0;
    const client = new MizanClient({
      fetch: server.fetch,
      headers: () => ({ authorization: `Bearer ${++n}` }),
    });
    await client.call('a', {});
    await client.call('a', {});
    expect(server.seen.map((r) => r.headers.authorization)).toEqual(['Bearer 1', 'Bearer 2']);
  });

  it('uses globalThis.fetch at request time by default', async () => {
    const server = callServer(answer);
    const client = new MizanClient();
    const original = globalThis.fetch;
    globalThis.fetch = server.fetch;
    try {
      await client.call('a', { x: 1 });
    } finally {
      globalThis.fetch = original;
    }
    expect(server.seen).toHaveLength(1);
  });
});
