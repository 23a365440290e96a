// The edge derives the cache keys pinned in spec/vectors/canonical.json, the same as mizan-ts and
// the Rust server: a read with a token whose pk is the vector's is looked up under the vector's key.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CacheKeyDeriver, Keyring, encodeContextQuery, fromHex, parseStrict } from 'mizan-ts';
import { createEdgeHandler, type CacheLike } from '../src/index.js';

interface Vectors {
  secret_hex: string;
  cases: { name: string; input?: string; cache_key?: { fn: string; pk: string; rev: number; key?: string } }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../spec/vectors/canonical.json', import.meta.url), 'utf8'),
) as Vectors;
const cases = vectors.cases.filter((c) => c.input !== undefined && c.cache_key?.key !== undefined);
const secret = fromHex(vectors.secret_hex);

describe('pinned cache keys', () => {
  it('covers the vectors', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, vector) => {
    const { fn, pk, rev, key } = vector.cache_key!;
    const params = parseStrict(vector.input!) as Record<string, never>;
    const looked: string[] = [];
    const cache: CacheLike = {
      match: async (request) => {
        looked.push(String(request));
        return undefined;
      },
      put: async () => {},
      delete: async () => false,
    };
    const keyring = await Keyring.create({ primary: 'k1', keys: [{ kid: 'k1', secret }] });
    const edge = createEdgeHandler({
      origin: 'http://origin.test',
      secret: vectors.secret_hex,
      keyring,
      validation: { issuer: 'i', audience: 'a' },
      manifest: {
        protocol: 1,
        functions: [{ name: fn, kind: 'context', auth: 'none', cache: { scope: 'permission', max_age: 60, swr: 0, tags: [] } }],
      },
      cache,
      now: () => 1_800_000_000_000,
      fetch: async () => new Response('{}', { status: 200 }),
    });
    const token = await keyring.sign({ iss: 'i', aud: 'a', iat: 1_800_000_000, exp: 1_800_000_060, pk });
    const query = encodeContextQuery(params, rev);
    const url = `https://edge.test/api/mizan/context/${fn}${query === '' ? '' : `?${query}`}`;
    await edge(new Request(url, { headers: { authorization: `Bearer ${token}` } }));
    expect(looked).toEqual([`https://edge.test/api/mizan/__edge/${key}`]);
    const ck = await CacheKeyDeriver.create(secret);
    expect(await ck.derive(fn, params, pk, rev)).toBe(key);
  });
});
