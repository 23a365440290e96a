// useMizanSuspenseContext: suspends until the answer is there, throws a MizanError to the error
// boundary, renders hydrated data at once without a request, and shares the non-suspense hook's
// validation, retry policy and cache entry.
import { QueryClient } from '@tanstack/react-query';
import { cleanup, render, waitFor } from '@testing-library/react';
import { Component, Suspense, createElement, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  MizanClient,
  MizanError,
  MizanProvider,
  mizanQueryKey,
  useMizanSuspenseContext,
  type HydrationPayload,
} from '../src/index.js';
import { fakeServer, json, protocolError, type FakeServer } from './helpers.js';

const GreetInput = z.strictObject({ name: z.string() });
type GreetInput = z.infer<typeof GreetInput>;
const NoParams = z.strictObject({});

class Boundary extends Component<{ children?: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) return this.props.children;
    return createElement(
      'p',
      { 'data-testid': 'error' },
      error instanceof MizanError ? `MizanError ${error.code} ${error.status}` : 'other error',
    );
  }
}

function mount(server: FakeServer, child: ReactNode, hydration?: HydrationPayload) {
  const client = new MizanClient({ fetch: server.fetch, liveInvalidation: false });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retryDelay: 0 } } });
  const view = render(
    createElement(
      MizanProvider,
      { client, queryClient, hydration },
      createElement(
        Boundary,
        null,
        createElement(Suspense, { fallback: createElement('p', null, 'loading') }, child),
      ),
    ),
  );
  return { view, queryClient };
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function Greeting(props: GreetInput) {
  const { data } = useMizanSuspenseContext<GreetInput, { text: string }>(
    'greet',
    props,
    GreetInput,
  );
  // `data` is never undefined here: no `?.`.
  return createElement('p', { 'data-testid': 'greeting' }, data.text);
}

describe('useMizanSuspenseContext', () => {
  it('shows the fallback, then renders with the data', async () => {
    const server = fakeServer(() => json({ text: 'Hello, Ada!' }));
    const { view, queryClient } = mount(server, createElement(Greeting, { name: 'Ada' }));
    expect(view.container.textContent).toBe('loading');
    await waitFor(() => expect(view.getByTestId('greeting').textContent).toBe('Hello, Ada!'));
    expect(server.seen.map((r) => r.url)).toEqual([
      '/api/mizan/context/greet?p=%7B%22name%22%3A%22Ada%22%7D',
    ]);
    // The same cache entry as useMizanContext's.
    expect(queryClient.getQueryData(mizanQueryKey('greet', { name: 'Ada' }))).toEqual({
      text: 'Hello, Ada!',
    });
  });

  it('throws a MizanError to the error boundary, without retrying a 4xx', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const server = fakeServer(() => protocolError('forbidden', 403));
    const { view } = mount(server, createElement(Greeting, { name: 'Ada' }));
    await waitFor(() =>
      expect(view.getByTestId('error').textContent).toBe('MizanError forbidden 403'),
    );
    expect(server.mock).toHaveBeenCalledTimes(1);
  });

  it('throws validation_failed for invalid params, sending nothing', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const server = fakeServer(() => json({ text: 'never' }));
    const { view } = mount(server, createElement(Greeting, { name: 7 } as never));
    await waitFor(() =>
      expect(view.getByTestId('error').textContent).toBe('MizanError validation_failed 0'),
    );
    expect(server.mock).not.toHaveBeenCalled();
  });

  it('renders hydrated data at once, without suspending or a request, through select', async () => {
    const server = fakeServer(() => json({ name: 'fetched' }));
    function User() {
      const { data } = useMizanSuspenseContext('current_user', {}, NoParams, {
        select: (user: { name: string }) => user.name,
        staleTime: Infinity,
      });
      return createElement('p', { 'data-testid': 'user' }, data);
    }
    const { view } = mount(server, createElement(User), {
      contexts: { current_user: { name: 'Ada' } },
    });
    expect(view.getByTestId('user').textContent).toBe('Ada');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.mock).not.toHaveBeenCalled();
  });
});
