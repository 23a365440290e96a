// The same handler inside workerd (through miniflare), with workerd's own caches.default, in front
// of an origin on a real socket: hit, miss, purge, 401.
import { Miniflare } from 'miniflare';
import { CacheKeyDeriver } from 'mizan-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANON, AUDIENCE, GREET_ADA, SECRET, ISSUER, SECRET_HEX, STAFF, fakeOrigin, keyring, manifest, token, type FakeOrigin } from './helpers.js';
import type { CacheLike } from '../src/index.js';
import { serve } from './nodeAdapter.js';
import { bundleWorker } from './worker/bundle.js';

let mf: Miniflare;
let origin: FakeOrigin;
let close: () => Promise<void>;
const EDGE = 'http://edge.test/api/mizan';

beforeAll(async () => {
  origin = fakeOrigin(Date.now);
  const served = await serve(origin.fetch);
  close = served.close;
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: '2025-09-01',
    bindings: {
      ORIGIN: served.url,
      SECRET: SECRET_HEX,
      KID: 'k1',
      ISSUER,
      AUDIENCE,
      MANIFEST: JSON.stringify(manifest),
    },
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  await close?.();
});

describe('in workerd', () => {
  it('misses, then hits from caches.default', async () => {
    const first = await mf.dispatchFetch(`${EDGE}${GREET_ADA}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-mizan-edge')).toBe('miss');
    const body = await first.text();
    const second = await mf.dispatchFetch(`${EDGE}${GREET_ADA}`);
    expect(second.headers.get('x-mizan-edge')).toBe('hit');
    expect(await second.text()).toBe(body);
    expect(origin.runs.get('greet')).toBe(1);
    // The answer sits in workerd's own cache, under the Layer 1 key.
    const ck = await (await CacheKeyDeriver.create(SECRET)).derive('greet', { name: 'Ada' }, ANON, 0);
    const caches = (await mf.getCaches()) as unknown as { default: CacheLike };
    const stored = await caches.default.match(`${EDGE}/__edge/${ck}`);
    expect(stored?.status).toBe(200);
    await stored?.arrayBuffer();
  });

  it('keeps permission keys apart', async () => {
    const staff = { authorization: `Bearer ${await token({ pk: STAFF, sub: '2', staff: true }, Date.now())}` };
    expect((await mf.dispatchFetch(`${EDGE}/context/board`)).headers.get('x-mizan-edge')).toBe('miss');
    const asStaff = await mf.dispatchFetch(`${EDGE}/context/board`, { headers: staff });
    expect(asStaff.headers.get('x-mizan-edge')).toBe('miss');
    expect(JSON.parse(await asStaff.text()).pk).toBe(STAFF);
    expect((await mf.dispatchFetch(`${EDGE}/context/board`, { headers: staff })).headers.get('x-mizan-edge')).toBe('hit');
  });

  it('purges by a purge request', async () => {
    await (await mf.dispatchFetch(`${EDGE}${GREET_ADA}`)).text();
    expect((await mf.dispatchFetch(`${EDGE}${GREET_ADA}`)).headers.get('x-mizan-edge')).toBe('hit');
    const now = Math.floor(Date.now() / 1000);
    const purgeToken = await keyring.sign({ iss: ISSUER, aud: 'mizan-purge', iat: now, exp: now + 60, pk: 'purger', ext: { tags: ['greetings'] } });
    const purged = await mf.dispatchFetch(`${EDGE}/purge`, { method: 'POST', headers: { authorization: `Bearer ${purgeToken}` } });
    expect(purged.status).toBe(204);
    expect((await mf.dispatchFetch(`${EDGE}${GREET_ADA}`)).headers.get('x-mizan-edge')).toBe('miss');
  });

  it('answers a bad token 401 with the Layer 1 code', async () => {
    const response = await mf.dispatchFetch(`${EDGE}/context/board`, { headers: { authorization: 'Bearer mwt1.k9.e30.AAAA' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'unauthenticated', details: { reason: 'unknown_kid' } });
  });
});
