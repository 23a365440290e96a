// The TanStack options of useMizanContext (`select`, `enabled`, `placeholderData`, `staleTime`,
// `meta`) next to Mizan's own (`rev`, `schemaHash`): each does what TanStack's does, and none can
// replace the key, the fetch, the retry policy or hydration.
import { QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  MizanClient,
  MizanProvider,
  mizanQueryKey,
  useMizanContext,
  type HydrationPayload,
} from '../src/index.js';
import { fakeServer, json, protocolError, type FakeServer } from './helpers.js';

const GreetInput = z.strictObject({ name: z.string() });
type GreetInput = z.infer<typeof GreetInput>;
const NoParams = z.strictObject({});

function setup(server: FakeServer, hydration?: HydrationPayload, queryClient = new QueryClient()) {
  const client = new MizanClient({ fetch: server.fetch, liveInvalidation: false });
  const wrapper = ({ children }: { children?: ReactNode }) =>
    createElement(MizanProvider, { client, queryClient, hydration, children });
  return { client, queryClient, wrapper };
}

// Lets pending effects, fetches and timers run, so that "no request" is not just "not yet".
async function settle(): Promise<void> {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

const greetServer = () =>
  fakeServer((req) => {
    const p = new URL(req.url, 'http://localhost').searchParams.get('p') ?? '{}';
    return json({ text: `Hello, ${(JSON.parse(p) as GreetInput).name}!` });
  });

describe('useMizanContext options', () => {
  it('select shapes what the component sees; the cache keeps the answer', async () => {
    const server = greetServer();
    const { queryClient, wrapper } = setup(server);
    const { result } = renderHook(
      () =>
        useMizanContext('greet', { name: 'Ada' }, GreetInput, {
          select: (greeting: { text: string }) => greeting.text.length,
        }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.data).toBe('Hello, Ada!'.length));
    expect(queryClient.getQueryData(mizanQueryKey('greet', { name: 'Ada' }))).toEqual({
      text: 'Hello, Ada!',
    });
  });

  it('enabled: false sends nothing until it turns true', async () => {
    const server = greetServer();
    const { wrapper } = setup(server);
    const { result, rerender } = renderHook(
      (enabled: boolean) => useMizanContext('greet', { name: 'Ada' }, GreetInput, { enabled }),
      { wrapper, initialProps: false },
    );
    await settle();
    expect(result.current.fetchStatus).toBe('idle');
    expect(result.current.isPending).toBe(true);
    expect(server.mock).not.toHaveBeenCalled();
    rerender(true);
    await waitFor(() => expect(result.current.data).toEqual({ text: 'Hello, Ada!' }));
    expect(server.mock).toHaveBeenCalledTimes(1);
  });

  it('placeholderData shows while the answer is on its way, and the previous params keep theirs', async () => {
    let release: () => void = () => {};
    const server = fakeServer(async (req) => {
      const p = new URL(req.url, 'http://localhost').searchParams.get('p') ?? '{}';
      if ((JSON.parse(p) as GreetInput).name === 'Grace') {
        await new Promise<void>((resolve) => (release = resolve));
      }
      return json(`Hello, ${(JSON.parse(p) as GreetInput).name}!`);
    });
    const { wrapper } = setup(server);
    const { result, rerender } = renderHook(
      (params: GreetInput) =>
        useMizanContext<GreetInput, string>('greet', params, GreetInput, {
          placeholderData: (previous) => previous ?? '…',
        }),
      { wrapper, initialProps: { name: 'Ada' } },
    );
    // No previous data: the placeholder given.
    expect(result.current.data).toBe('…');
    expect(result.current.isPlaceholderData).toBe(true);
    await waitFor(() => expect(result.current.data).toBe('Hello, Ada!'));
    expect(result.current.isPlaceholderData).toBe(false);
    // New params: the last params' data stays on screen until the new answer comes.
    rerender({ name: 'Grace' });
    await waitFor(() => expect(server.mock).toHaveBeenCalledTimes(2));
    expect(result.current.data).toBe('Hello, Ada!');
    expect(result.current.isPlaceholderData).toBe(true);
    act(() => release());
    await waitFor(() => expect(result.current.data).toBe('Hello, Grace!'));
    expect(result.current.isPlaceholderData).toBe(false);
  });

  it('meta is the query’s meta', async () => {
    const server = greetServer();
    const { queryClient, wrapper } = setup(server);
    const { result } = renderHook(
      () => useMizanContext('greet', { name: 'Ada' }, GreetInput, { meta: { screen: 'home' } }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    const query = queryClient
      .getQueryCache()
      .find({ queryKey: mizanQueryKey('greet', { name: 'Ada' }), exact: true });
    expect(query?.meta).toEqual({ screen: 'home' });
  });

  it('options left out keep the QueryClient’s defaults', async () => {
    const server = greetServer();
    const queryClient = new QueryClient({
      defaultOptions: { queries: { meta: { from: 'defaults' }, enabled: false } },
    });
    const { wrapper } = setup(server, undefined, queryClient);
    const { result } = renderHook(
      () =>
        useMizanContext('greet', { name: 'Ada' }, GreetInput, {
          meta: undefined,
          enabled: undefined,
        }),
      { wrapper },
    );
    await settle();
    // The default `enabled: false` held the request.
    expect(server.mock).not.toHaveBeenCalled();
    const queries = queryClient.getQueryCache().findAll({ queryKey: ['mizan', 'greet'] });
    expect(queries.map((q) => q.meta)).toEqual([{ from: 'defaults' }]);
    expect(result.current.fetchStatus).toBe('idle');
  });

  it('a queryKey, queryFn or retry slipped in from plain JavaScript is ignored', async () => {
    const server = fakeServer(() => protocolError('forbidden', 403));
    const { queryClient, wrapper } = setup(server);
    const sneaky = {
      queryKey: ['other'],
      queryFn: () => 'not from the server',
      retry: 5,
    } as never;
    const { result } = renderHook(() => useMizanContext('secret', {}, NoParams, sneaky), {
      wrapper,
    });
    await waitFor(() => expect(result.current.isError).toBe(true));
    // Mizan's fetch ran, under Mizan's key, and its policy did not retry the 403.
    expect(result.current.error).toMatchObject({ code: 'forbidden' });
    await settle();
    expect(server.mock).toHaveBeenCalledTimes(1);
    expect(queryClient.getQueryCache().find({ queryKey: ['other'] })).toBeUndefined();
    expect(
      queryClient.getQueryCache().find({ queryKey: mizanQueryKey('secret', {}), exact: true }),
    ).toBeDefined();
  });

  it('select applies to hydrated data, which is still shown without a request', async () => {
    const server = fakeServer(() => json({ id: 'x', name: 'fetched' }));
    const { wrapper } = setup(server, { contexts: { current_user: { id: '42', name: 'Ada' } } });
    const { result } = renderHook(
      () =>
        useMizanContext('current_user', {}, NoParams, {
          select: (user: { name: string }) => user.name.toUpperCase(),
          staleTime: Infinity,
        }),
      { wrapper },
    );
    expect(result.current.data).toBe('ADA');
    await settle();
    expect(server.mock).not.toHaveBeenCalled();
  });
});
