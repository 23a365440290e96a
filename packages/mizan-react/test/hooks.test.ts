import { QueryClient } from '@tanstack/react-query';
import { act, render, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, createElement, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  MizanClient,
  MizanError,
  MizanProvider,
  mizanQueryKey,
  useMizanCall,
  useMizanClient,
  useMizanContext,
  type HydrationPayload,
} from '../src/index.js';
import { fakeServer, json, protocolError, type FakeServer } from './helpers.js';

interface User {
  id: string;
  name: string;
}
const NoParams = z.strictObject({});
const GreetInput = z.strictObject({ name: z.string() });
type GreetInput = z.infer<typeof GreetInput>;

function setup(server: FakeServer, hydration?: HydrationPayload, strict = false) {
  const client = new MizanClient({ fetch: server.fetch });
  // No retry delay, so that the retry test does not wait for TanStack's backoff.
  const queryClient = new QueryClient({ defaultOptions: { queries: { retryDelay: 0 } } });
  const wrapper = ({ children }: { children?: ReactNode }) => {
    const tree = createElement(MizanProvider, { client, queryClient, hydration, children });
    return strict ? createElement(StrictMode, null, tree) : tree;
  };
  return { client, queryClient, wrapper };
}

// Lets pending effects, fetches and timers run, so that "no request" is not just "not yet".
async function settle(): Promise<void> {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MizanProvider and hydration', () => {
  it.each([false, true])(
    'a global context renders hydrated data with zero fetches (StrictMode %s)',
    async (strict) => {
      const server = fakeServer(() => json({ id: 'x', name: 'fetched' }));
      const { wrapper } = setup(
        server,
        { contexts: { current_user: { id: '42', name: 'Ada' } } },
        strict,
      );
      const renders: unknown[] = [];
      function CurrentUser() {
        const q = useMizanContext<Record<string, never>, User>('current_user', {}, NoParams);
        renders.push(q.data);
        return createElement('p', null, q.data?.name ?? 'loading');
      }
      const view = render(createElement(CurrentUser), { wrapper });
      expect(renders[0]).toEqual({ id: '42', name: 'Ada' });
      expect(view.container.textContent).toBe('Ada');
      await settle();
      expect(server.mock).not.toHaveBeenCalled();
      expect(view.container.textContent).toBe('Ada');
    },
  );

  it('seeds under mizanQueryKey(name, {}, 0), and keeps data already in the cache', () => {
    const server = fakeServer();
    const { queryClient, wrapper } = setup(server, { contexts: { a: 1, b: null } });
    queryClient.setQueryData(mizanQueryKey('a', {}, 0), 'fresher');
    render(createElement('div'), { wrapper });
    expect(queryClient.getQueryData(mizanQueryKey('a', {}, 0))).toBe('fresher');
    expect(queryClient.getQueryData(mizanQueryKey('b', {}, 0))).toBeNull();
  });

  it('fetches a hydrated context again once invalidated', async () => {
    const server = fakeServer(() => json({ id: '42', name: 'Ada Lovelace' }));
    const { queryClient, wrapper } = setup(server, {
      contexts: { current_user: { id: '42', name: 'Ada' } },
    });
    const { result } = renderHook(
      () => useMizanContext<Record<string, never>, User>('current_user', {}, NoParams),
      { wrapper },
    );
    expect(result.current.data?.name).toBe('Ada');
    await act(() => queryClient.invalidateQueries({ queryKey: ['mizan', 'current_user'] }));
    await waitFor(() => expect(result.current.data?.name).toBe('Ada Lovelace'));
    expect(server.seen.map((r) => r.url)).toEqual(['/api/mizan/context/current_user']);
  });

  it('fetches a context that the payload does not have', async () => {
    const server = fakeServer(() => json({ id: '7', name: 'Grace' }));
    const { wrapper } = setup(server, { contexts: {} });
    const { result } = renderHook(
      () => useMizanContext<Record<string, never>, User>('current_user', {}, NoParams),
      { wrapper },
    );
    expect(result.current.isPending).toBe(true);
    await waitFor(() => expect(result.current.data).toEqual({ id: '7', name: 'Grace' }));
    expect(server.mock).toHaveBeenCalledTimes(1);
  });

  it('useMizanClient returns the client, and throws a clear error outside the provider', () => {
    const server = fakeServer();
    const { client, wrapper } = setup(server);
    expect(renderHook(() => useMizanClient(), { wrapper }).result.current).toBe(client);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => renderHook(() => useMizanClient())).toThrow(/MizanProvider/);
  });
});

describe('useMizanCall', () => {
  it('runs the call with the parsed input', async () => {
    const server = fakeServer(() => json({ message: 'hi' }));
    const { wrapper } = setup(server);
    const { result } = renderHook(
      () =>
        useMizanCall<{ text: string }, { message: string }>(
          'echo',
          z.strictObject({ text: z.string() }),
        ),
      { wrapper },
    );
    await expect(act(() => result.current.mutateAsync({ text: 'hi' }))).resolves.toEqual({
      message: 'hi',
    });
    expect(server.seen).toMatchObject([
      { url: '/api/mizan/call/echo', method: 'POST', body: '{"text":"hi"}' },
    ]);
    await waitFor(() => expect(result.current.data).toEqual({ message: 'hi' }));
  });

  it('rejects invalid input with validation_failed, status 0 and the Zod fields, without a request', async () => {
    const server = fakeServer();
    const { wrapper } = setup(server);
    const Input = z.strictObject({ name: z.string(), tags: z.array(z.string()) });
    const { result } = renderHook(() => useMizanCall<z.infer<typeof Input>, null>('save', Input), {
      wrapper,
    });
    const error: unknown = await act(() =>
      result.current.mutateAsync({ name: 5, tags: ['a', 2] } as never).then(
        () => expect.unreachable(),
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(MizanError);
    expect(error).toMatchObject({
      code: 'validation_failed',
      status: 0,
      fields: [
        { path: ['name'], message: expect.any(String) },
        { path: ['tags', 1], message: expect.any(String) },
      ],
    });
    await waitFor(() => expect(result.current.error?.code).toBe('validation_failed'));
    expect(server.mock).not.toHaveBeenCalled();
  });

  it('reports a server error as the MizanError', async () => {
    const server = fakeServer(() => protocolError('conflict', 409));
    const { wrapper } = setup(server);
    const { result } = renderHook(
      () => useMizanCall<Record<string, never>, null>('bump', NoParams),
      { wrapper },
    );
    act(() => result.current.mutate({}));
    await waitFor(() =>
      expect(result.current.error).toMatchObject({ code: 'conflict', status: 409 }),
    );
  });
});

describe('useMizanContext', () => {
  const greetServer = () =>
    fakeServer((req) => {
      const p = new URL(req.url, 'http://localhost').searchParams.get('p') ?? '{}';
      return json(`Hello, ${(JSON.parse(p) as GreetInput).name}!`);
    });

  it('GETs the canonical URL and refetches when the params change', async () => {
    const server = greetServer();
    const { wrapper } = setup(server);
    const { result, rerender } = renderHook(
      (params: GreetInput) => useMizanContext<GreetInput, string>('greet', params, GreetInput),
      { wrapper, initialProps: { name: 'Ada' } },
    );
    await waitFor(() => expect(result.current.data).toBe('Hello, Ada!'));
    rerender({ name: 'Grace' });
    await waitFor(() => expect(result.current.data).toBe('Hello, Grace!'));
    expect(server.seen.map((r) => r.url)).toEqual([
      '/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D',
      '/api/mizan/context/greet?p=%7B%22name%22%3A%22Grace%22%7D',
    ]);
    expect(server.seen.every((r) => r.method === 'GET')).toBe(true);
  });

  it('does not refetch for a new params object with the same canonical JSON', async () => {
    const server = greetServer();
    const { wrapper } = setup(server);
    const { result, rerender } = renderHook(
      (params: GreetInput) =>
        useMizanContext<GreetInput, string>('greet', params, GreetInput, { staleTime: 60_000 }),
      { wrapper, initialProps: { name: 'Ada' } },
    );
    await waitFor(() => expect(result.current.data).toBe('Hello, Ada!'));
    rerender({ name: 'Ada' });
    await settle();
    expect(server.mock).toHaveBeenCalledTimes(1);
  });

  it('puts rev in the URL and the key', async () => {
    const server = fakeServer(() => json(1));
    const { queryClient, wrapper } = setup(server);
    const { result } = renderHook(() => useMizanContext('counter', {}, NoParams, { rev: 4 }), {
      wrapper,
    });
    await waitFor(() => expect(result.current.data).toBe(1));
    expect(server.seen[0]?.url).toBe('/api/mizan/context/counter?rev=4');
    expect(queryClient.getQueryData(['mizan', 'counter', '{}', 4])).toBe(1);
  });

  it('does not send a request while disabled', async () => {
    const server = greetServer();
    const { wrapper } = setup(server);
    const { result } = renderHook(
      () => useMizanContext('greet', { name: 'Ada' }, GreetInput, { enabled: false }),
      { wrapper },
    );
    await settle();
    expect(result.current.fetchStatus).toBe('idle');
    expect(server.mock).not.toHaveBeenCalled();
  });

  it('fails invalid params with validation_failed, without a request or a retry', async () => {
    const server = greetServer();
    const { wrapper } = setup(server);
    const { result } = renderHook(
      () => useMizanContext<GreetInput, string>('greet', { name: 1 } as never, GreetInput),
      { wrapper },
    );
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toMatchObject({
      code: 'validation_failed',
      status: 0,
      fields: [{ path: ['name'] }],
    });
    expect(result.current.failureCount).toBe(1);
    expect(server.mock).not.toHaveBeenCalled();
  });

  it('does not retry a 4xx error', async () => {
    const server = fakeServer(() => protocolError('forbidden', 403));
    const { wrapper } = setup(server);
    const { result } = renderHook(() => useMizanContext('secret', {}, NoParams), { wrapper });
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toMatchObject({ code: 'forbidden', status: 403 });
    await settle();
    expect(server.mock).toHaveBeenCalledTimes(1);
  });

  it('retries a 5xx error three times', async () => {
    const server = fakeServer(() => protocolError('internal', 500));
    const { wrapper } = setup(server);
    const { result } = renderHook(() => useMizanContext('flaky', {}, NoParams), { wrapper });
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toMatchObject({ code: 'internal', status: 500 });
    expect(server.mock).toHaveBeenCalledTimes(4);
  });
});
