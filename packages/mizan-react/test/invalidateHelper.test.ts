// invalidateMizanContext and mizanQueryKey: invalidating with params refetches exactly the reads
// of those params (whatever their rev and property order), without params every read of the
// context, and never another context's.
import { QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  MizanClient,
  MizanProvider,
  invalidateMizanContext,
  mizanQueryKey,
  useMizanContext,
} from '../src/index.js';
import { fakeServer, json } from './helpers.js';

const Search = z.strictObject({ q: z.string(), page: z.number().int() });
type Search = z.infer<typeof Search>;

function setup() {
  let version = 1;
  const server = fakeServer(() => json(version));
  const client = new MizanClient({ fetch: server.fetch, liveInvalidation: false });
  const queryClient = new QueryClient();
  const wrapper = ({ children }: { children?: ReactNode }) =>
    createElement(MizanProvider, { client, queryClient, children });
  const reads = () =>
    server.seen.map((r) => {
      const url = new URL(r.url, 'http://localhost');
      return `${url.pathname.replace('/api/mizan/context/', '')}${url.search}`;
    });
  return { server, queryClient, wrapper, reads, bump: () => (version += 1) };
}

describe('invalidateMizanContext', () => {
  it('with params refetches exactly the reads of those params, at any rev', async () => {
    const { queryClient, wrapper, reads, bump } = setup();
    const { result } = renderHook(
      () => ({
        a: useMizanContext<Search, number>('search', { q: 'a', page: 1 }, Search),
        aAtRev: useMizanContext<Search, number>('search', { page: 1, q: 'a' }, Search, { rev: 2 }),
        b: useMizanContext<Search, number>('search', { q: 'b', page: 1 }, Search),
        other: useMizanContext<Search, number>('other', { q: 'a', page: 1 }, Search),
      }),
      { wrapper },
    );
    await waitFor(() => expect(Object.values(result.current).every((q) => q.data === 1)).toBe(true));
    const before = reads().length;
    bump();
    // Another property order: the same canonical JSON, so the same reads.
    await act(() => invalidateMizanContext(queryClient, 'search', { page: 1, q: 'a' }));
    expect(reads().slice(before).sort()).toEqual([
      'search?p=%7B%22page%22%3A1%2C%22q%22%3A%22a%22%7D',
      'search?p=%7B%22page%22%3A1%2C%22q%22%3A%22a%22%7D&rev=2',
    ]);
    await waitFor(() => expect(result.current.a.data).toBe(2));
    expect(result.current.aAtRev.data).toBe(2);
    expect(result.current.b.data).toBe(1);
    expect(result.current.other.data).toBe(1);
  });

  it('without params refetches every read of the context and no other', async () => {
    const { queryClient, wrapper, reads, bump } = setup();
    const { result } = renderHook(
      () => ({
        a: useMizanContext<Search, number>('search', { q: 'a', page: 1 }, Search),
        b: useMizanContext<Search, number>('search', { q: 'b', page: 2 }, Search, { rev: 5 }),
        other: useMizanContext<Search, number>('other', { q: 'a', page: 1 }, Search),
      }),
      { wrapper },
    );
    await waitFor(() => expect(Object.values(result.current).every((q) => q.data === 1)).toBe(true));
    const before = reads().length;
    bump();
    await act(() => invalidateMizanContext(queryClient, 'search'));
    expect(reads().slice(before)).toHaveLength(2);
    expect(reads().slice(before).every((r) => r.startsWith('search?'))).toBe(true);
    await waitFor(() => expect(result.current.a.data).toBe(2));
    expect(result.current.b.data).toBe(2);
    expect(result.current.other.data).toBe(1);
  });
});

describe('mizanQueryKey', () => {
  it('is the hooks’ key with params, and the prefix of every read without', () => {
    expect(mizanQueryKey('search', { q: 'a', page: 1 })).toEqual([
      'mizan',
      'search',
      '{"page":1,"q":"a"}',
      0,
    ]);
    expect(mizanQueryKey('search', { q: 'a', page: 1 }, 3)).toEqual([
      'mizan',
      'search',
      '{"page":1,"q":"a"}',
      3,
    ]);
    expect(mizanQueryKey('search')).toEqual(['mizan', 'search']);
  });
});
