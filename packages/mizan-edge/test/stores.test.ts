// The in-memory defaults: the Cache API shape within its bounds, and purge times per tag.
import { describe, expect, it } from 'vitest';
import { MemoryCache, MemoryTagStore } from '../src/index.js';
import { clock } from './helpers.js';

const kept = (body: string, seconds = 60) =>
  new Response(body, { headers: { 'cache-control': `public, max-age=${seconds}`, 'x-a': 'b' } });

describe('MemoryCache', () => {
  it('gives back what was put, status, headers and body, as often as asked', async () => {
    const cache = new MemoryCache();
    await cache.put('https://e.test/a', kept('hello'));
    for (let i = 0; i < 2; i++) {
      const got = await cache.match(new Request('https://e.test/a'));
      expect(got?.status).toBe(200);
      expect(got?.headers.get('x-a')).toBe('b');
      expect(await got?.text()).toBe('hello');
    }
    expect(await cache.match('https://e.test/b')).toBeUndefined();
    expect(await cache.delete('https://e.test/a')).toBe(true);
    expect(await cache.delete('https://e.test/a')).toBe(false);
    expect(await cache.match('https://e.test/a')).toBeUndefined();
  });

  it('keeps a response as long as its Cache-Control says, and not one it may not keep', async () => {
    const time = clock();
    const cache = new MemoryCache({ now: time.now });
    await cache.put('https://e.test/a', kept('a', 10));
    await cache.put('https://e.test/b', new Response('b', { headers: { 'cache-control': 'private, max-age=60' } }));
    await cache.put('https://e.test/c', new Response('c'));
    await cache.put('https://e.test/d', new Response('d', { headers: { 'cache-control': 's-maxage=30, max-age=1' } }));
    expect(cache.size).toBe(2);
    time.advance(10_000);
    expect(await cache.match('https://e.test/a')).toBeUndefined();
    expect(await (await cache.match('https://e.test/d'))?.text()).toBe('d');
    expect(cache.size).toBe(1);
  });

  it('drops the least recently used responses beyond maxEntries', async () => {
    const cache = new MemoryCache({ maxEntries: 2 });
    await cache.put('https://e.test/1', kept('1'));
    await cache.put('https://e.test/2', kept('2'));
    await cache.match('https://e.test/1');
    await cache.put('https://e.test/3', kept('3'));
    expect(cache.size).toBe(2);
    expect(await cache.match('https://e.test/2')).toBeUndefined();
    expect(await (await cache.match('https://e.test/1'))?.text()).toBe('1');
  });

  it('stays within maxBytes, and does not keep a body larger than all of it', async () => {
    const cache = new MemoryCache({ maxBytes: 10 });
    await cache.put('https://e.test/1', kept('12345'));
    await cache.put('https://e.test/2', kept('123456'));
    expect(cache.bytes).toBe(6);
    expect(await cache.match('https://e.test/1')).toBeUndefined();
    await cache.put('https://e.test/big', kept('12345678901'));
    expect(await cache.match('https://e.test/big')).toBeUndefined();
    expect(cache.bytes).toBe(6);
    // Replacing an entry counts its bytes once.
    await cache.put('https://e.test/2', kept('1234'));
    expect(cache.bytes).toBe(4);
  });
});

describe('MemoryTagStore', () => {
  it('answers the latest purge of any of the tags', async () => {
    const tags = new MemoryTagStore();
    expect(await tags.lastPurge(['a'])).toBe(-Infinity);
    await tags.purge(['a', 'b'], 100);
    await tags.purge(['b'], 200);
    expect(await tags.lastPurge(['a'])).toBe(100);
    expect(await tags.lastPurge(['a', 'b', 'c'])).toBe(200);
    expect(await tags.lastPurge(['c'])).toBe(-Infinity);
  });

  it('forgets tags beyond maxTags by raising its floor, so forgetting never makes an answer fresh', async () => {
    const tags = new MemoryTagStore({ maxTags: 2 });
    await tags.purge(['a'], 100);
    await tags.purge(['b'], 200);
    await tags.purge(['c'], 300);
    expect(tags.size).toBe(2);
    // "a" was forgotten: an answer fetched before 100 must still count as purged.
    expect(await tags.lastPurge(['a'])).toBe(100);
    expect(await tags.lastPurge(['unrelated'])).toBe(100);
    expect(await tags.lastPurge(['c'])).toBe(300);
  });

  it('drops records older than its retention without raising the floor', async () => {
    const tags = new MemoryTagStore({ retainMs: 1000 });
    await tags.purge(['a'], 100);
    await tags.purge(['b'], 5000);
    expect(tags.size).toBe(1);
    expect(await tags.lastPurge(['a'])).toBe(-Infinity);
    expect(await tags.lastPurge(['b'])).toBe(5000);
  });
});
