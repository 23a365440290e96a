// The edge in front of the real demo server, in Node and inside workerd: the server's policies,
// X-Mizan-Pk and Cache-Tag drive what the edge keeps.
import { Miniflare } from 'miniflare';
import { contextUrl } from 'mizan-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeHandler, type EdgeHandler } from '../src/index.js';
import { bundleWorker } from '../test/worker/bundle.js';
import {
  DEMO_AUDIENCE,
  DEMO_ISSUER,
  DEMO_KID,
  DEMO_PK,
  DEMO_SECRET,
  DEMO_SECRET_HEX,
  demoKeyring,
  demoToken,
  startDemo,
  type Demo,
} from './demo.js';

let demo: Demo;
let manifest: { functions: { name: string; kind: string; auth: string; cache?: { scope: string } }[] };
let edge: EdgeHandler;
let mf: Miniflare;
const EDGE = 'http://edge.test/api/mizan';

beforeAll(async () => {
  demo = await startDemo();
  manifest = await (await fetch(`${demo.base}/api/mizan/manifest`)).json();
  edge = createEdgeHandler({
    origin: demo.base,
    secret: DEMO_SECRET,
    keyring: demoKeyring,
    validation: { issuer: DEMO_ISSUER, audience: DEMO_AUDIENCE },
    manifest,
  });
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: '2025-09-01',
    bindings: {
      ORIGIN: demo.base,
      SECRET: DEMO_SECRET_HEX,
      KID: DEMO_KID,
      ISSUER: DEMO_ISSUER,
      AUDIENCE: DEMO_AUDIENCE,
      MANIFEST: JSON.stringify(manifest),
    },
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  await demo?.stop();
});

const greet = (name: string) => contextUrl(EDGE, 'greet', { name });

async function purgeToken(tags: string[]): Promise<string> {
  return demoToken({ pk: 'purge', ext: { tags } }, 'mizan-purge');
}

type Fetcher = (url: string, init?: RequestInit) => Promise<Response>;
const runtimes: [string, () => Fetcher][] = [
  ['Node', () => (url, init) => edge(new Request(url, init))],
  ['workerd', () => (url, init) => mf.dispatchFetch(url, init as never) as unknown as Promise<Response>],
];

describe('the demo manifest', () => {
  it('gives greet a public policy', () => {
    const entry = manifest.functions.find((f) => f.name === 'greet');
    expect(entry?.cache?.scope).toBe('public');
  });
});

describe.each(runtimes)('the edge in %s in front of the demo', (runtime, fetcher) => {
  it('misses, then hits, with the server\'s bytes and ETag', async () => {
    const get = fetcher();
    const url = greet(`${runtime} hit`);
    const direct = await fetch(url.replace(EDGE, `${demo.base}/api/mizan`));
    const body = await direct.text();
    expect(direct.headers.get('x-mizan-pk')).toBe(DEMO_PK.anonymous);
    const first = await get(url);
    expect(first.headers.get('x-mizan-edge')).toBe('miss');
    expect(await first.text()).toBe(body);
    const second = await get(url);
    expect(second.headers.get('x-mizan-edge')).toBe('hit');
    expect(second.headers.get('etag')).toBe(direct.headers.get('etag'));
    expect(await second.text()).toBe(body);
    const revalidated = await get(url, { headers: { 'if-none-match': direct.headers.get('etag')! } });
    expect(revalidated.status).toBe(304);
  });

  it('answers a bad token exactly as the server does', async () => {
    const get = fetcher();
    const now = Math.floor(Date.now() / 1000);
    const expired = await demoKeyring.sign({ iss: DEMO_ISSUER, aud: DEMO_AUDIENCE, iat: now - 7200, exp: now - 3600, pk: DEMO_PK.authenticated, sub: 'ada' });
    for (const token of [expired, `${expired.slice(0, -2)}AA`, 'mwt1.other.e30.AAAA']) {
      const url = greet('Ada');
      const headers = { authorization: `Bearer ${token}` };
      const direct = await fetch(url.replace(EDGE, `${demo.base}/api/mizan`), { headers });
      const viaEdge = await get(url, { headers });
      expect(viaEdge.status).toBe(401);
      expect(viaEdge.status).toBe(direct.status);
      expect(viaEdge.headers.get('www-authenticate')).toBe(direct.headers.get('www-authenticate'));
      expect(viaEdge.headers.get('x-mizan-edge')).toBeNull();
      expect(viaEdge.headers.get('x-content-type-options')).toBe(direct.headers.get('x-content-type-options'));
      expect(await viaEdge.text()).toBe(await direct.text());
    }
  });

  it('purges on a purge request', async () => {
    const get = fetcher();
    const url = greet(`${runtime} purge`);
    await (await get(url)).text();
    expect((await get(url)).headers.get('x-mizan-edge')).toBe('hit');
    const purged = await get(`${EDGE}/purge`, { method: 'POST', headers: { authorization: `Bearer ${await purgeToken(['mizan:fn:greet'])}` } });
    expect(purged.status).toBe(204);
    expect((await get(url)).headers.get('x-mizan-edge')).toBe('miss');
    const refused = await get(`${EDGE}/purge`, { method: 'POST', headers: { authorization: `Bearer ${await demoToken({ pk: DEMO_PK.staff, sub: 'grace', staff: true })}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ details: { reason: 'wrong_audience' } });
  });

  it('serves signed-in readers of a public context from the one anonymous entry', async () => {
    const get = fetcher();
    const ada = { authorization: `Bearer ${await demoToken({ pk: DEMO_PK.authenticated, sub: 'ada' })}` };
    const grace = { authorization: `Bearer ${await demoToken({ pk: DEMO_PK.staff, sub: 'grace', staff: true })}` };
    const url = greet(`${runtime} signed in`);
    const first = await get(url, { headers: ada });
    expect(first.headers.get('x-mizan-edge')).toBe('miss');
    const body = await first.text();
    for (const headers of [ada, grace, {}]) {
      const again = await get(url, { headers });
      expect(again.headers.get('x-mizan-edge')).toBe('hit');
      expect(await again.text()).toBe(body);
    }
  });

  it('purges the notes board a forwarded notes.add invalidates', async () => {
    const get = fetcher();
    const board = `edge-${runtime.toLowerCase()}`;
    const url = contextUrl(EDGE, 'notes', { board });
    await (await get(url)).text();
    expect((await get(url)).headers.get('x-mizan-edge')).toBe('hit');
    const added = await get(`${EDGE}/call/notes.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ board, text: `hello from ${runtime}` }),
    });
    expect(added.status).toBe(200);
    expect(added.headers.get('x-mizan-invalidate')).toContain(`notes:${board}`);
    const after = await get(url);
    expect(after.headers.get('x-mizan-edge')).toBe('miss');
    expect(await after.text()).toContain(`hello from ${runtime}`);
  });
});
