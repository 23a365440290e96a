import { describe, expect, it } from 'vitest';
import { MAX_BATCH_CALLS, MizanClient, MizanError } from '../src/index.js';
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
      expect(server.seen[1]?.headers).not.toHaveProperty('X-CSRFToken');
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
    expect(server.seen[0]?.headers).toEqual({ 'content-type': 'application/json', 'X-CSRFToken': '1' });
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
