// The hot path of a context read: its params are canonicalized once per change of params, not on
// every render and again when the request is sent. Every canonicalization, the hook's own and
// the ones inside mizan-ts (URL encoding), goes through the spied `canonicalize`.
import { QueryClient } from '@tanstack/react-query';
import { renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { MizanClient, MizanProvider, useMizanContext } from '../src/index.js';
import { fakeServer, json } from './helpers.js';

const canonical = vi.hoisted(() => ({ calls: 0 }));

vi.mock('../../mizan-ts/src/canonical.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../mizan-ts/src/canonical.ts')>();
  return {
    ...actual,
    canonicalize: (value: unknown) => {
      canonical.calls += 1;
      return actual.canonicalize(value);
    },
  };
});

const GreetInput = z.strictObject({ name: z.string() });
type GreetInput = z.infer<typeof GreetInput>;
const WithDefault = z.strictObject({ name: z.string(), loud: z.boolean().default(false) });

function setup() {
  const server = fakeServer(() => json('hi'));
  const client = new MizanClient({ fetch: server.fetch });
  const queryClient = new QueryClient();
  const wrapper = ({ children }: { children?: ReactNode }) =>
    createElement(MizanProvider, { client, queryClient, children });
  return { server, wrapper };
}

describe('a context read', () => {
  it('canonicalizes its params once across renders and the fetch', async () => {
    const { server, wrapper } = setup();
    const { result, rerender } = renderHook(
      // A new params object on every render, as components write them.
      ({ name }: { name: string }) =>
        useMizanContext<GreetInput, string>('greet', { name }, GreetInput),
      { wrapper, initialProps: { name: 'Ada' } },
    );
    for (let i = 0; i < 5; i++) rerender({ name: 'Ada' });
    await waitFor(() => expect(result.current.data).toBe('hi'));
    for (let i = 0; i < 5; i++) rerender({ name: 'Ada' });
    expect(server.seen.map((r) => r.url)).toEqual([
      '/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D',
    ]);
    expect(canonical.calls).toBe(1);

    // New params: once more, for their key and their URL together.
    canonical.calls = 0;
    rerender({ name: 'Grace' });
    await waitFor(() => expect(server.seen).toHaveLength(2));
    rerender({ name: 'Grace' });
    expect(server.seen[1]?.url).toBe('/api/mizan/context/greet?p=%7B%22name%22%3A%22Grace%22%7D');
    expect(canonical.calls).toBe(1);
  });

  it('sends what the schema made of the params when it changed them', async () => {
    const { server, wrapper } = setup();
    const { result } = renderHook(
      () =>
        useMizanContext<z.input<typeof WithDefault>, string>(
          'greet',
          { name: 'Ada' },
          WithDefault as z.ZodType<z.input<typeof WithDefault>>,
        ),
      { wrapper },
    );
    await waitFor(() => expect(result.current.data).toBe('hi'));
    expect(server.seen[0]?.url).toBe(
      '/api/mizan/context/greet?p=%7B%22loud%22%3Afalse%2C%22name%22%3A%22Ada%22%7D',
    );
  });
});
