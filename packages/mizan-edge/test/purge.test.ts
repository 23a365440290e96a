// Purges: the tags of X-Mizan-Invalidate on forwarded answers, and POST <base>/purge.
import { describe, expect, it } from 'vitest';
import { AUTHED, GREET_ADA, ISSUER, T0, get, keyring, setup } from './helpers.js';

async function purgeToken(ext: Record<string, unknown>, audience = 'mizan-purge', iatMs = T0): Promise<string> {
  const now = Math.floor(iatMs / 1000);
  return keyring.sign({ iss: ISSUER, aud: audience, iat: now, exp: now + 60, pk: 'purger', ext: ext as never });
}

function purge(authorization?: string, method = 'POST'): Request {
  return new Request('https://edge.test/api/mizan/purge', {
    method,
    headers: authorization === undefined ? {} : { authorization },
  });
}

describe('purges', () => {
  it('purges the tags a forwarded answer invalidates', async () => {
    const { edge, origin } = setup();
    await (await edge(get('/context/board'))).text();
    await (await edge(get(GREET_ADA))).text();
    const call = await edge(new Request('https://edge.test/api/mizan/call/post_note', { method: 'POST', body: '{}' }));
    expect(call.headers.get('x-mizan-invalidate')).toBe('notes, mizan:fn:board');
    const board = await edge(get('/context/board'));
    expect(board.headers.get('x-mizan-edge')).toBe('miss');
    expect(JSON.parse(await board.text()).v).toBe(2);
    // greet has neither tag.
    expect((await edge(get(GREET_ADA))).headers.get('x-mizan-edge')).toBe('hit');
    expect(origin.runs.get('board')).toBe(2);
  });

  it('purges the tags of a purge request signed for mizan-purge, and answers 204', async () => {
    const { edge } = setup();
    await (await edge(get('/context/board'))).text();
    await (await edge(get(GREET_ADA))).text();
    const response = await edge(purge(`Bearer ${await purgeToken({ tags: ['greetings'] })}`));
    expect(response.status).toBe(204);
    expect((await edge(get(GREET_ADA))).headers.get('x-mizan-edge')).toBe('miss');
    expect((await edge(get('/context/board'))).headers.get('x-mizan-edge')).toBe('hit');
    // The function tag reaches every answer of the function even if the server left it out.
    expect((await edge(purge(`Bearer ${await purgeToken({ tags: ['mizan:fn:board'] })}`))).status).toBe(204);
    expect((await edge(get('/context/board'))).headers.get('x-mizan-edge')).toBe('miss');
  });

  it('refuses a purge without a valid purge token with 401', async () => {
    const { edge } = setup();
    await (await edge(get(GREET_ADA))).text();
    const none = await edge(purge());
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await none.json()).details).toBeUndefined();
    // A client's token (another audience) cannot purge.
    const client = await keyring.sign({ iss: ISSUER, aud: 'edge-test-web', iat: T0 / 1000, exp: T0 / 1000 + 60, pk: AUTHED, ext: { tags: ['greetings'] } });
    const wrong = await edge(purge(`Bearer ${client}`));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'unauthenticated', details: { reason: 'wrong_audience' } });
    const expired = await edge(purge(`Bearer ${await purgeToken({ tags: ['greetings'] }, 'mizan-purge', T0 - 3600_000)}`));
    expect(await expired.json()).toMatchObject({ details: { reason: 'expired' } });
    expect((await edge(get(GREET_ADA))).headers.get('x-mizan-edge')).toBe('hit');
  });

  it.each([
    ['no tags', {}],
    ['tags not an array', { tags: 'greetings' }],
    ['a tag with a space', { tags: ['a b'] }],
    ['an empty tag', { tags: [''] }],
    ['a tag over 128 bytes', { tags: ['x'.repeat(129)] }],
    ['a tag that is not a string', { tags: [1] }],
  ])('answers 400 bad_request for %s', async (_, ext) => {
    const { edge } = setup();
    await (await edge(get(GREET_ADA))).text();
    const response = await edge(purge(`Bearer ${await purgeToken(ext)}`));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'bad_request', status: 400, details: { reason: 'invalid_tags' } });
    expect((await edge(get(GREET_ADA))).headers.get('x-mizan-edge')).toBe('hit');
  });

  it('answers a purge endpoint method other than POST with 405', async () => {
    const { edge } = setup();
    const response = await edge(purge(undefined, 'GET'));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('drops a fill that raced a purge: the answer fetched before the write is never served', async () => {
    const { edge, origin, time } = setup();
    let release = () => {};
    origin.tweak.hold = new Promise((resolve) => (release = resolve));
    const reading = edge(get('/context/board'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    time.advance(5);
    expect((await edge(purge(`Bearer ${await purgeToken({ tags: ['notes'] })}`))).status).toBe(204);
    time.advance(5);
    release();
    expect((await reading).headers.get('x-mizan-edge')).toBe('miss');
    origin.tweak.hold = undefined;
    expect((await edge(get('/context/board'))).headers.get('x-mizan-edge')).toBe('miss');
    expect(origin.runs.get('board')).toBe(2);
  });

  it('never serves an entry stored before a purge, even one purged in the same millisecond', async () => {
    const { edge } = setup();
    await (await edge(get('/context/board'))).text();
    expect((await edge(purge(`Bearer ${await purgeToken({ tags: ['notes'] })}`))).status).toBe(204);
    expect((await edge(get('/context/board'))).headers.get('x-mizan-edge')).toBe('miss');
  });
});

describe('a failing tag store', () => {
  it('answers a purge request 503 unavailable', async () => {
    const { edge } = setup({
      tags: {
        purge: async () => {
          throw new Error('down');
        },
        lastPurge: async () => -Infinity,
      },
    });
    const response = await edge(purge(`Bearer ${await purgeToken({ tags: ['notes'] })}`));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ code: 'unavailable', status: 503 });
  });
});
