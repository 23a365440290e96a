// Context reads through the edge against a fake origin: keying, hits, freshness, what is stored.
import { describe, expect, it } from 'vitest';
import { MemoryCache, MemoryTagStore, type CacheLike, type TagStore } from '../src/index.js';
import { ANON, AUTHED, GREET_ADA, STAFF, T0, get, setup, token, waiter } from './helpers.js';

const hour = 3600_000;

describe('keying and serving', () => {
  it('serves the second anonymous read of a public context from the cache', async () => {
    const { edge, origin } = setup();
    const first = await edge(get(GREET_ADA));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-mizan-edge')).toBe('miss');
    const body = await first.text();
    const second = await edge(get(GREET_ADA));
    expect(second.headers.get('x-mizan-edge')).toBe('hit');
    expect(await second.text()).toBe(body);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('cache-control')).toBe('private, no-cache');
    expect(second.headers.get('x-mizan-edge-entry')).toBeNull();
    expect(origin.runs.get('greet')).toBe(1);
  });

  it('keys a public context with no auth requirement under the anonymous key for every caller', async () => {
    const { edge, origin } = setup();
    await (await edge(get(GREET_ADA))).text();
    const withCookie = await edge(get(GREET_ADA, { cookie: 'session=abc' }));
    expect(withCookie.headers.get('x-mizan-edge')).toBe('hit');
    const withToken = await edge(get(GREET_ADA, { authorization: `Bearer ${await token({ pk: STAFF, sub: '1', staff: true })}` }));
    expect(withToken.headers.get('x-mizan-edge')).toBe('hit');
    expect(JSON.parse(await withToken.text()).pk).toBe(ANON);
    expect(origin.runs.get('greet')).toBe(1);
  });

  it('keeps answers of a permission-scoped context apart per permission key', async () => {
    const { edge, origin } = setup();
    const authed = { authorization: `Bearer ${await token({ pk: AUTHED, sub: '1' })}` };
    const staff = { authorization: `Bearer ${await token({ pk: STAFF, sub: '2', staff: true })}` };
    const reads = [
      [{}, 'miss', ANON],
      [authed, 'miss', AUTHED],
      [staff, 'miss', STAFF],
      [{}, 'hit', ANON],
      [authed, 'hit', AUTHED],
      [staff, 'hit', STAFF],
    ] as const;
    for (const [headers, status, pk] of reads) {
      const response = await edge(get('/context/board', headers));
      expect(response.headers.get('x-mizan-edge')).toBe(status);
      expect(JSON.parse(await response.text()).pk).toBe(pk);
    }
    expect(origin.runs.get('board')).toBe(3);
  });

  it('keys a public context with an auth requirement under the anonymous key for every caller it lets in', async () => {
    const { edge, origin } = setup();
    const user = { authorization: `Bearer ${await token({ pk: AUTHED, sub: '1' })}` };
    const staff = { authorization: `Bearer ${await token({ pk: STAFF, sub: '2', staff: true })}` };
    expect((await edge(get('/context/members', user))).headers.get('x-mizan-edge')).toBe('miss');
    const shared = await edge(get('/context/members', staff));
    expect(shared.headers.get('x-mizan-edge')).toBe('hit');
    expect(JSON.parse(await shared.text()).pk).toBe(ANON);
    // Without a token the requirement cannot be checked here: the server answers.
    expect((await edge(get('/context/members'))).status).toBe(401);
    expect(origin.runs.get('members')).toBe(1);
  });

  it('forwards a permission-scoped read that carries a cookie and no token', async () => {
    const { edge, origin } = setup();
    for (let i = 0; i < 2; i++) {
      const response = await edge(get('/context/board', { cookie: 'mizan_token=x' }));
      expect(response.headers.get('x-mizan-edge')).toBe('bypass');
      await response.text();
    }
    expect(origin.runs.get('board')).toBe(2);
    expect(origin.requests[0]!.headers.get('cookie')).toBe('mizan_token=x');
  });

  it.each([
    ['user scope', '/context/me'],
    ['custom auth', '/context/custom'],
    ['no policy', '/context/plain'],
    ['unknown function', '/context/nope'],
  ])('forwards a context read with %s untouched, every time', async (_, path) => {
    const { edge, origin } = setup();
    const headers = { authorization: `Bearer ${await token({ pk: AUTHED, sub: '1' })}`, 'x-extra': 'kept' };
    for (let i = 0; i < 2; i++) {
      const response = await edge(get(path, headers));
      expect(response.headers.get('x-mizan-edge')).toBe('bypass');
      await response.text();
    }
    expect(origin.requests).toHaveLength(2);
    expect(origin.requests[1]!.headers.get('x-extra')).toBe('kept');
    expect(origin.requests[1]!.headers.get('authorization')).toBe(headers.authorization);
  });

  it('forwards a caller the auth requirement refuses, so the server answers 401 or 403', async () => {
    const { edge } = setup();
    const plainUser = { authorization: `Bearer ${await token({ pk: AUTHED, sub: '1' })}` };
    const refused = await edge(get('/context/staff_board', plainUser));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-mizan-edge')).toBe('bypass');
    const anonymous = await edge(get('/context/staff_board'));
    expect(anonymous.status).toBe(401);
    // A token without `sub` is anonymous for every requirement (spec §2.5), even with a pk.
    const subless = { authorization: `Bearer ${await token({ pk: AUTHED })}` };
    const members = await edge(get('/context/members', subless));
    expect(members.status).toBe(401);
    expect(members.headers.get('x-mizan-edge')).toBe('bypass');
    const staff = { authorization: `Bearer ${await token({ pk: STAFF, sub: '2', staff: true })}` };
    expect((await edge(get('/context/staff_board', staff))).headers.get('x-mizan-edge')).toBe('miss');
    expect((await edge(get('/context/staff_board', staff))).headers.get('x-mizan-edge')).toBe('hit');
    // The staff answer is never given to the plain user, though both read the same URL.
    expect((await edge(get('/context/staff_board', plainUser))).status).toBe(403);
  });

  it('answers a bad bearer token 401 as the server does, with the Layer 1 code', async () => {
    const { edge, origin } = setup();
    const cases: [string, string][] = [
      [`Bearer ${await token({ pk: AUTHED, sub: '1' }, T0 - 2 * hour)}`, 'expired'],
      [`Bearer ${(await token({ pk: AUTHED })).slice(0, -2)}AA`, 'bad_signature'],
      ['Bearer a.b.c', 'malformed_token'],
      [`bearer ${await token({ pk: AUTHED, aud: 'elsewhere' })}`, 'wrong_audience'],
    ];
    for (const [authorization, reason] of cases) {
      for (const path of [GREET_ADA, '/context/board']) {
        const response = await edge(get(path, { authorization }));
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(response.headers.get('cache-control')).toBe('no-store');
        const body = await response.json();
        expect(Object.keys(body)).toEqual(['code', 'details', 'message', 'status']);
        expect(body).toMatchObject({ code: 'unauthenticated', status: 401, details: { reason } });
        expect(body.message).toMatch(/^invalid token: /);
      }
    }
    expect(origin.requests).toHaveLength(0);
  });

  it('forwards an Authorization header that is not one bearer token', async () => {
    const { edge, origin } = setup();
    for (const authorization of ['Basic abc', 'Bearer', 'Bearer\tabc', 'Bearer a, Bearer b']) {
      const response = await edge(get('/context/board', { authorization }));
      expect(response.headers.get('x-mizan-edge')).toBe('bypass');
    }
    expect(origin.requests).toHaveLength(4);
  });

  it('forwards what the server refuses before authentication: a non-canonical query or another schema', async () => {
    const { edge, origin } = setup();
    const bad = await edge(get('/context/greet?p=%7b%22name%22%3a%22Ada%22%7d'));
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-mizan-edge')).toBe('bypass');
    // Even with a bad token: the server answers the query first.
    const badBoth = await edge(get('/context/greet?rev=01', { authorization: 'Bearer a.b.c' }));
    expect(badBoth.status).toBe(400);
    expect((await edge(get(GREET_ADA, { 'x-mizan-schema': 'old' }))).headers.get('x-mizan-edge')).toBe('bypass');
    expect((await edge(get(GREET_ADA, { 'x-mizan-schema': 'h-greet' }))).headers.get('x-mizan-edge')).toBe('miss');
    expect(origin.requests).toHaveLength(4);
  });

  it('forwards a query over the server length limit untouched, never keyed or stored', async () => {
    const { edge, origin } = setup();
    // `p=%7B%22name%22%3A%22` + name + `%22%7D`: 27 bytes around the name.
    const over = `/context/greet?p=%7B%22name%22%3A%22${'a'.repeat(8192 - 27 + 1)}%22%7D`;
    for (let i = 0; i < 2; i++) {
      const reply = await edge(get(over));
      expect(reply.headers.get('x-mizan-edge')).toBe('bypass');
    }
    expect(origin.requests).toHaveLength(2);
    const at = `/context/greet?p=%7B%22name%22%3A%22${'a'.repeat(8192 - 27)}%22%7D`;
    expect((await edge(get(at))).headers.get('x-mizan-edge')).toBe('miss');
    expect((await edge(get(at))).headers.get('x-mizan-edge')).toBe('hit');
  });

  it('keys each rev apart', async () => {
    const { edge, origin } = setup();
    expect((await edge(get(GREET_ADA))).headers.get('x-mizan-edge')).toBe('miss');
    expect((await edge(get(`${GREET_ADA}&rev=5`))).headers.get('x-mizan-edge')).toBe('miss');
    expect((await edge(get(`${GREET_ADA}&rev=5`))).headers.get('x-mizan-edge')).toBe('hit');
    expect(origin.runs.get('greet')).toBe(2);
  });
});

describe('conditional and HEAD reads', () => {
  it('answers If-None-Match with 304 on a hit and on a miss, and asks the origin for a body', async () => {
    const { edge, origin } = setup();
    const etag = (await edge(get(GREET_ADA))).headers.get('etag')!;
    const hit = await edge(get(GREET_ADA, { 'if-none-match': `W/"x", ${etag}` }));
    expect(hit.status).toBe(304);
    expect(hit.headers.get('etag')).toBe(etag);
    expect(hit.headers.get('x-mizan-edge')).toBe('hit');
    expect(hit.headers.get('vary')).toBe('Authorization, Cookie, X-Mizan-Schema');
    expect(await hit.text()).toBe('');
    const other = await edge(get(GREET_ADA, { 'if-none-match': '"other"' }));
    expect(other.status).toBe(200);

    const fresh = setup();
    const miss = await fresh.edge(get(GREET_ADA, { 'if-none-match': '*' }));
    expect(miss.status).toBe(304);
    expect(miss.headers.get('x-mizan-edge')).toBe('miss');
    expect(fresh.origin.requests[0]!.headers.get('if-none-match')).toBeNull();
    expect((await fresh.edge(get(GREET_ADA))).headers.get('x-mizan-edge')).toBe('hit');
    expect(origin.runs.get('greet')).toBe(1);
  });

  it('answers HEAD from the cache without a body', async () => {
    const { edge } = setup();
    await (await edge(get(GREET_ADA))).text();
    const head = await edge(get(GREET_ADA, {}, 'HEAD'));
    expect(head.status).toBe(200);
    expect(head.headers.get('x-mizan-edge')).toBe('hit');
    expect(await head.text()).toBe('');
  });
});

describe('freshness', () => {
  it('serves fresh within max_age, stale within swr while refetching, and misses after', async () => {
    const { edge, origin, time } = setup();
    await (await edge(get('/context/board'))).text();
    time.advance(59_000);
    expect((await edge(get('/context/board'))).headers.get('x-mizan-edge')).toBe('hit');
    origin.version.n = 2;
    time.advance(2_000);
    const ctx = waiter();
    let release = () => {};
    origin.tweak.hold = new Promise((resolve) => (release = resolve));
    const stale = await edge(get('/context/board'), ctx);
    expect(stale.headers.get('x-mizan-edge')).toBe('stale');
    expect(JSON.parse(await stale.text()).v).toBe(1);
    // One background refetch per key, however many stale reads arrive meanwhile.
    expect((await edge(get('/context/board'), ctx)).headers.get('x-mizan-edge')).toBe('stale');
    release();
    await ctx.settle();
    expect(origin.runs.get('board')).toBe(2);
    const refreshed = await edge(get('/context/board'));
    expect(refreshed.headers.get('x-mizan-edge')).toBe('hit');
    expect(JSON.parse(await refreshed.text()).v).toBe(2);
    time.advance(360_000);
    expect((await edge(get('/context/board'))).headers.get('x-mizan-edge')).toBe('miss');
  });
});

describe('what is stored', () => {
  it.each([
    ['Set-Cookie', { setCookie: true }],
    ['X-Mizan-Pk of another key', { wrongPk: true }],
    ['no X-Mizan-Pk', { noPk: true }],
    ['a status other than 200', { status: 203 }],
  ])('does not store an answer with %s', async (_, tweak) => {
    const { edge, origin } = setup();
    Object.assign(origin.tweak, tweak);
    const first = await edge(get(GREET_ADA));
    expect(first.headers.get('x-mizan-edge')).toBe('miss');
    if ('setCookie' in tweak) expect(first.headers.get('set-cookie')).toBe('session=1; Path=/');
    expect((await edge(get(GREET_ADA))).headers.get('x-mizan-edge')).toBe('miss');
    expect(origin.runs.get('greet')).toBe(2);
  });

  it('runs concurrent misses of one key once at the origin, and shares the answer', async () => {
    const { edge, origin } = setup();
    let release = () => {};
    origin.tweak.hold = new Promise((resolve) => (release = resolve));
    const reads = [edge(get('/context/board')), edge(get('/context/board')), edge(get('/context/board'))];
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const answers = await Promise.all(reads);
    const bodies = await Promise.all(answers.map((a) => a.text()));
    expect(new Set(bodies).size).toBe(1);
    expect(answers.map((a) => a.headers.get('x-mizan-edge'))).toEqual(['miss', 'miss', 'miss']);
    expect(origin.runs.get('board')).toBe(1);
  });

  it('does not share a fill with a read of another key, nor one a purge overtook', async () => {
    const { edge, origin, time } = setup();
    let release = () => {};
    origin.tweak.hold = new Promise((resolve) => (release = resolve));
    const staff = { authorization: `Bearer ${await token({ pk: STAFF, sub: '2', staff: true })}` };
    const first = edge(get('/context/board'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const other = edge(get('/context/board', staff));
    time.advance(5);
    await (await edge(new Request('https://edge.test/api/mizan/call/post_note', { method: 'POST', body: '{}' }))).text();
    const after = edge(get('/context/board'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    expect(JSON.parse(await (await first).text()).v).toBe(1);
    expect(JSON.parse(await (await other).text()).pk).toBe(STAFF);
    expect(JSON.parse(await (await after).text()).v).toBe(2);
    expect(origin.runs.get('board')).toBe(3);
  });

  it('treats an entry it cannot read as a miss and replaces it', async () => {
    const memory = new MemoryCache();
    const keys: string[] = [];
    const cache: CacheLike = {
      match: (r) => memory.match(r),
      delete: (r) => memory.delete(r),
      put: (r, response) => {
        keys.push(String(r));
        return memory.put(r, response);
      },
    };
    const { edge, origin } = setup({ cache });
    await (await edge(get(GREET_ADA))).text();
    expect(keys).toHaveLength(1);
    await memory.put(keys[0]!, new Response('not an entry', { headers: { 'cache-control': 'max-age=60' } }));
    expect((await edge(get(GREET_ADA))).headers.get('x-mizan-edge')).toBe('miss');
    expect((await edge(get(GREET_ADA))).headers.get('x-mizan-edge')).toBe('hit');
    expect(origin.runs.get('greet')).toBe(2);
  });

  it('answers 503 unavailable when the origin cannot be reached', async () => {
    const { edge, origin } = setup();
    origin.tweak.fail = true;
    const response = await edge(get(GREET_ADA));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ code: 'unavailable', status: 503 });
  });

  it('forwards calls with their body and headers', async () => {
    const { edge, origin } = setup();
    const response = await edge(
      new Request('https://edge.test/api/mizan/call/post_note', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-mizan-csrf': '1' },
        body: '{"text":"hi"}',
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-mizan-edge')).toBe('bypass');
    const sent = origin.requests[0]!;
    expect(sent.url).toBe('http://origin.test/api/mizan/call/post_note');
    expect(sent.headers.get('x-mizan-csrf')).toBe('1');
    expect(await sent.text()).toBe('{"text":"hi"}');
  });
});

describe('failing stores', () => {
  const broken = async () => {
    throw new Error('store down');
  };

  it('forwards reads while the cache fails', async () => {
    const cache: CacheLike = { match: broken, put: broken, delete: broken };
    const { edge, origin } = setup({ cache });
    for (let i = 0; i < 2; i++) {
      const response = await edge(get(GREET_ADA));
      expect(response.status).toBe(200);
      expect(response.headers.get('x-mizan-edge')).toBe('bypass');
    }
    expect(origin.runs.get('greet')).toBe(2);
  });

  it('never serves from the cache while the tag store fails, and still answers calls', async () => {
    const failing = { on: false };
    const tags = new MemoryTagStore();
    const store: TagStore = {
      purge: (t, at) => (failing.on ? broken() : tags.purge(t, at)),
      lastPurge: (t) => (failing.on ? broken() : tags.lastPurge(t)),
    };
    const { edge } = setup({ tags: store });
    await (await edge(get('/context/board'))).text();
    expect((await edge(get('/context/board'))).headers.get('x-mizan-edge')).toBe('hit');
    failing.on = true;
    const call = await edge(new Request('https://edge.test/api/mizan/call/post_note', { method: 'POST', body: '{}' }));
    expect(call.status).toBe(200);
    const read = await edge(get('/context/board'));
    expect(read.headers.get('x-mizan-edge')).toBe('bypass');
    expect(JSON.parse(await read.text()).v).toBe(2);
  });
});
