// Bad configuration is refused at once with a message, never discovered by a client.
import { describe, expect, it } from 'vitest';
import { EdgeConfigError, createEdgeHandler, readManifest, type EdgeOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET_HEX, get, keyring, manifest } from './helpers.js';

const base: EdgeOptions = {
  origin: 'http://origin.test',
  secret: SECRET_HEX,
  keyring,
  validation: { issuer: ISSUER, audience: AUDIENCE },
  manifest,
  fetch: async () => new Response('{}'),
};

describe('configuration', () => {
  it.each([
    ['an origin that is not a URL', { origin: 'nope' }, /origin/],
    ['an origin that is not http', { origin: 'ftp://x' }, /origin/],
    ['a base path with a trailing slash', { basePath: '/api/' }, /basePath/],
    ['a base path with //', { basePath: '/a//b' }, /basePath/],
    ['a short secret', { secret: '00ff' }, /32 bytes/],
    ['a secret that is not hex', { secret: 'zz'.repeat(32) }, /hex/],
    ['no validation', { validation: undefined as never }, /validation/],
    ['no manifest', { manifest: undefined }, /manifest/],
    ['another protocol', { manifest: { protocol: 2, functions: [] } }, /protocol/],
  ])('refuses %s', (_, override, message) => {
    expect(() => createEdgeHandler({ ...base, ...override })).toThrow(message);
    expect(() => createEdgeHandler({ ...base, ...override })).toThrow(EdgeConfigError);
  });

  it.each([
    ['a bad scope', { scope: 'world', max_age: 1 }, /scope/],
    ['max_age 0', { scope: 'public', max_age: 0 }, /max_age/],
    ['max_age over a year', { scope: 'public', max_age: 31_536_001 }, /max_age/],
    ['a negative swr', { scope: 'public', max_age: 1, swr: -1 }, /swr/],
    ['tags that are not an array', { scope: 'public', max_age: 1, tags: 'x' }, /tags/],
  ])('refuses a policy with %s', (_, cache, message) => {
    const bad = { protocol: 1, functions: [{ name: 'f', kind: 'context', auth: 'none', cache }] };
    expect(() => readManifest(bad)).toThrow(message);
  });

  it('reads policies, defaulting swr to 300, and leaves calls out', () => {
    const read = readManifest({
      protocol: 1,
      functions: [
        { name: 'f', kind: 'context', auth: 'staff', schema_hash: 'h', cache: { scope: 'permission', max_age: 5, tags: [] } },
        { name: 'g', kind: 'call', auth: 'none' },
      ],
    });
    expect([...read.keys()]).toEqual(['f']);
    expect(read.get('f')).toEqual({ auth: 'staff', schemaHash: 'h', cache: { scope: 'permission', maxAge: 5, swr: 300 } });
  });

  it('reports a bad keyring through ready and answers 500 internal, never a crash', async () => {
    const edge = createEdgeHandler({ ...base, keyring: { primary: 'missing', keys: [] } });
    await expect(edge.ready).rejects.toMatchObject({ code: 'empty_keyring' });
    const response = await edge(get('/context/board'));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ code: 'internal', message: 'internal error', status: 500 });
  });

  it('builds its keyring from keyring options', async () => {
    const edge = createEdgeHandler({ ...base, keyring: { primary: 'k1', keys: [{ kid: 'k1', secret: new Uint8Array(32) }] } });
    await edge.ready;
  });

  it('uses caches.default when the runtime has one', async () => {
    const seen: string[] = [];
    const fake = {
      match: async (r: unknown) => void seen.push(String(r)),
      put: async () => {},
      delete: async () => false,
    };
    (globalThis as { caches?: unknown }).caches = { default: fake };
    try {
      const edge = createEdgeHandler(base);
      await edge(get('/context/board'));
      expect(seen).toHaveLength(1);
    } finally {
      delete (globalThis as { caches?: unknown }).caches;
    }
  });
});
