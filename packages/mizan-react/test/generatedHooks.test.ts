// The hooks mizan-codegen generates, as the demo's checked-in client has them
// (examples/demo/web/src/mizan/, a golden file of the generator): key and invalidation helpers,
// options, suspense hooks and call callbacks at run time, with hydration, purges and live
// invalidation still working through them. Their types: generatedHooks.test-d.ts.
import { QueryClient } from '@tanstack/react-query';
import { act, cleanup, render, renderHook, waitFor } from '@testing-library/react';
import { Suspense, createElement, type ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GreetProvider,
  currentUserQueryKey,
  greetQueryKey,
  invalidateCurrentUser,
  invalidateGreet,
  useCurrentUser,
  useCurrentUserSuspense,
  useEcho,
  useGreet,
  useGreetQuery,
  useGreetSuspenseQuery,
  useNotesQuery,
  type CurrentUserOutput,
  type EchoOutput,
} from '../../../examples/demo/web/src/mizan/index.js';
import {
  MizanClient,
  MizanProvider,
  WATCH_DEBOUNCE_MS,
  channelSocket,
  type HydrationPayload,
} from '../src/index.js';
import { ChannelServer, ManualTimers, NodeWebSocket } from './channelServer.js';
import { fakeServer, json, type FakeServer, type Seen } from './helpers.js';

const ANONYMOUS: CurrentUserOutput = {
  authenticated: false,
  email: null,
  id: null,
  staff: false,
  superuser: false,
  username: null,
};
const ADA: CurrentUserOutput = { ...ANONYMOUS, authenticated: true, id: '1', username: 'ada' };

const path = (req: Seen) => new URL(req.url, 'http://localhost').pathname;
const pathAndQuery = (req: Seen) => {
  const url = new URL(req.url, 'http://localhost');
  return `${url.pathname.replace('/api/mizan/', '')}${url.search}`;
};

/** The demo's functions, answered from `state`; greet answers carry its cache tag. */
function demoServer(state = { version: 1, user: ADA }): FakeServer {
  return fakeServer((req) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname.endsWith('/context/greet')) {
      const { name } = JSON.parse(url.searchParams.get('p') ?? '{}') as { name: string };
      return new Response(JSON.stringify({ text: `Hello, ${name}! (v${state.version})` }), {
        headers: { 'content-type': 'application/json', 'cache-tag': 'mizan:fn:greet' },
      });
    }
    if (url.pathname.endsWith('/context/current_user')) return json(state.user);
    if (url.pathname.endsWith('/call/echo')) {
      const { text } = JSON.parse(req.body ?? '{}') as { text: string };
      // As a call that purged greet's tag (spec §2.16.4) would answer.
      return new Response(JSON.stringify({ count: '7', message: text }), {
        headers: {
          'content-type': 'application/json',
          'x-mizan-invalidate': 'mizan:fn:greet',
          'x-mizan-rev': '1700000000001',
        },
      });
    }
    return json(null, 404);
  });
}

function setup(server: FakeServer, hydration?: HydrationPayload) {
  const client = new MizanClient({ fetch: server.fetch, liveInvalidation: false });
  const queryClient = new QueryClient();
  const wrapper = ({ children }: { children?: ReactNode }) =>
    createElement(MizanProvider, { client, queryClient, hydration, children });
  return { client, queryClient, wrapper };
}

afterEach(() => {
  cleanup();
});

describe('generated context hooks', () => {
  it('take select, and their query key reads the cached answer', async () => {
    const server = demoServer();
    const { queryClient, wrapper } = setup(server);
    const { result } = renderHook(
      () => useGreetQuery({ name: 'Ada' }, { select: (greeting) => greeting.text.toUpperCase() }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.data).toBe('HELLO, ADA! (V1)'));
    expect(queryClient.getQueryData(greetQueryKey({ name: 'Ada' }))).toEqual({
      text: 'Hello, Ada! (v1)',
    });
    expect(greetQueryKey({ name: 'Ada' }, 2)).toEqual(['mizan', 'greet', '{"name":"Ada"}', 2]);
    expect(greetQueryKey()).toEqual(['mizan', 'greet']);
    expect(server.seen.map((r) => r.headers['x-mizan-schema'])).toEqual([
      expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    ]);
  });

  it('send nothing while enabled is false', async () => {
    const server = demoServer();
    const { wrapper } = setup(server);
    const { result, rerender } = renderHook(
      (name: string) => useGreetQuery({ name }, { enabled: name !== '' }),
      { wrapper, initialProps: '' },
    );
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(server.mock).not.toHaveBeenCalled();
    rerender('Ada');
    await waitFor(() => expect(result.current.data?.text).toBe('Hello, Ada! (v1)'));
  });

  it('invalidate<Pascal> refetches the reads of those params, or of every params', async () => {
    const state = { version: 1, user: ADA };
    const server = demoServer(state);
    const { queryClient, wrapper } = setup(server);
    const { result } = renderHook(
      () => ({
        ada: useGreetQuery({ name: 'Ada' }),
        adaAtRev: useGreetQuery({ name: 'Ada' }, { rev: 3 }),
        grace: useGreetQuery({ name: 'Grace' }),
        user: useCurrentUser(),
      }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.grace.data?.text).toBe('Hello, Grace! (v1)'));
    await waitFor(() => expect(result.current.adaAtRev.isSuccess).toBe(true));
    await waitFor(() => expect(result.current.user.isSuccess).toBe(true));
    const before = server.seen.length;
    state.version = 2;
    await act(() => invalidateGreet(queryClient, { name: 'Ada' }));
    expect(server.seen.slice(before).map(pathAndQuery).sort()).toEqual([
      'context/greet?p=%7B%22name%22%3A%22Ada%22%7D',
      'context/greet?p=%7B%22name%22%3A%22Ada%22%7D&rev=3',
    ]);
    await waitFor(() => expect(result.current.ada.data?.text).toBe('Hello, Ada! (v2)'));
    expect(result.current.grace.data?.text).toBe('Hello, Grace! (v1)');

    const middle = server.seen.length;
    state.version = 3;
    await act(() => invalidateGreet(queryClient));
    expect(server.seen.slice(middle).map(path).sort()).toEqual([
      '/api/mizan/context/greet',
      '/api/mizan/context/greet',
      '/api/mizan/context/greet',
    ]);
    await waitFor(() => expect(result.current.grace.data?.text).toBe('Hello, Grace! (v3)'));
  });

  it('a hydrated global context renders without a request until invalidate<Pascal>', async () => {
    const state = { version: 1, user: ADA };
    const server = demoServer(state);
    const { queryClient, wrapper } = setup(server, { contexts: { current_user: ANONYMOUS } });
    const { result } = renderHook(() => useCurrentUser({ select: (user) => user.username }), {
      wrapper,
    });
    expect(result.current.data).toBeNull();
    expect(queryClient.getQueryData(currentUserQueryKey())).toEqual(ANONYMOUS);
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(server.mock).not.toHaveBeenCalled();
    await act(() => invalidateCurrentUser(queryClient));
    await waitFor(() => expect(result.current.data).toBe('ada'));
    expect(server.seen.map(pathAndQuery)).toEqual(['context/current_user']);
  });

  it('a global context stays fresh unless staleTime says otherwise', async () => {
    const server = demoServer();
    const { wrapper } = setup(server);
    const mountTwice = async (hook: () => { isSuccess: boolean }) => {
      const first = renderHook(hook, { wrapper });
      await waitFor(() => expect(first.result.current.isSuccess).toBe(true));
      first.unmount();
      const second = renderHook(hook, { wrapper });
      await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
      second.unmount();
    };
    // Infinity by default: a second mount uses the cache.
    await mountTwice(() => useCurrentUser());
    expect(server.seen.map(pathAndQuery)).toEqual(['context/current_user']);
    // `staleTime: 0`: stale at once, so each mount fetches again.
    await mountTwice(() => useCurrentUser({ staleTime: 0 }));
    expect(server.seen.map(pathAndQuery)).toEqual(Array(3).fill('context/current_user'));
  });

  it('keep the calls written before options existed working: { rev } and the provider', async () => {
    const server = demoServer();
    const { wrapper } = setup(server);
    function Greeting() {
      return createElement('p', { 'data-testid': 'greeting' }, useGreet().data?.text ?? '…');
    }
    const view = render(
      createElement(
        wrapper,
        null,
        createElement(GreetProvider, { name: 'Ada', rev: 4 }, createElement(Greeting)),
      ),
    );
    await waitFor(() => expect(view.getByTestId('greeting').textContent).toBe('Hello, Ada! (v1)'));
    expect(server.seen.map(pathAndQuery)).toEqual([
      'context/greet?p=%7B%22name%22%3A%22Ada%22%7D&rev=4',
    ]);
  });

  it('suspense hooks render after the data, and at once when hydrated', async () => {
    const server = demoServer();
    const { wrapper } = setup(server, { contexts: { current_user: ADA } });
    function Both() {
      const user = useCurrentUserSuspense({ select: (u) => u.username ?? 'nobody' });
      const greeting = useGreetSuspenseQuery({ name: user.data });
      return createElement('p', { 'data-testid': 'both' }, greeting.data.text);
    }
    const view = render(
      createElement(
        wrapper,
        null,
        createElement(Suspense, { fallback: createElement('p', null, 'loading') }, createElement(Both)),
      ),
    );
    expect(view.container.textContent).toBe('loading');
    await waitFor(() => expect(view.getByTestId('both').textContent).toBe('Hello, ada! (v1)'));
    // The hydrated user made no request; the greeting one.
    expect(server.seen.map(path)).toEqual(['/api/mizan/context/greet']);
  });
});

describe('generated call hooks', () => {
  it('run the callbacks with the output, and the purge of the answer refetches the reads', async () => {
    const server = demoServer();
    const { wrapper } = setup(server);
    const succeeded: EchoOutput[] = [];
    const { result } = renderHook(
      () => ({
        echo: useEcho({ onSuccess: (output) => void succeeded.push(output) }),
        greet: useGreetQuery({ name: 'Ada' }, { select: (g) => g.text.length }),
      }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.greet.isSuccess).toBe(true));
    await act(() => result.current.echo.mutateAsync({ text: 'hi' }));
    expect(succeeded).toEqual([{ count: '7', message: 'hi' }]);
    // The answer purged greet's tag with a rev: the read is fetched again with it, select and all.
    await waitFor(() =>
      expect(server.seen.map(pathAndQuery).at(-1)).toBe(
        'context/greet?p=%7B%22name%22%3A%22Ada%22%7D&rev=1700000000001',
      ),
    );
    expect(result.current.greet.data).toBe('Hello, Ada! (v1)'.length);
  });
});

describe('generated hooks of cached contexts', () => {
  it('turn live invalidation on: a purge heard on the socket refetches the read', async () => {
    const ws = await ChannelServer.start();
    const timers = new ManualTimers();
    let version = 1;
    const http = fakeServer(() =>
      new Response(JSON.stringify([{ id: version, text: `note ${version}` }]), {
        headers: { 'content-type': 'application/json', 'cache-tag': 'notes:red' },
      }),
    );
    const client = new MizanClient({
      baseUrl: ws.base,
      fetch: http.fetch,
      channels: { WebSocket: NodeWebSocket, timers, lingerMs: 1000, random: () => 0.5 },
    });
    try {
      function Notes() {
        // No channelSocket(client) anywhere: the generated hook turns live invalidation on.
        const notes = useNotesQuery({ board: 'red' }, { select: (list) => list.map((n) => n.text) });
        return createElement('p', { 'data-testid': 'notes' }, notes.data?.join() ?? '');
      }
      const view = render(
        createElement(MizanProvider, { client, queryClient: new QueryClient() }, createElement(Notes)),
      );
      await waitFor(() => expect(view.getByTestId('notes').textContent).toBe('note 1'));
      act(() => timers.advance(WATCH_DEBOUNCE_MS));
      const conn = await ws.conn(0);
      expect(await conn.next('watch')).toEqual({ type: 'watch', tags: ['notes:red'] });
      version = 2;
      conn.send({ type: 'invalidated', tags: ['notes:red'], rev: 1700000000500 });
      await waitFor(() => expect(view.getByTestId('notes').textContent).toBe('note 2'));
      expect(new URL(http.seen.at(-1)?.url ?? '').search).toBe(
        '?p=%7B%22board%22%3A%22red%22%7D&rev=1700000000500',
      );
    } finally {
      cleanup();
      channelSocket(client).close();
      await ws.stop();
    }
  });
});
