// Purges and revs on the client (spec §2.16.4): the cache hints of calls and batches, the tags of
// context answers, refetching with the issued rev under a stable query key, and `unissued_rev`.
import { QueryClient } from '@tanstack/react-query';
import { act, render, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  MizanClient,
  MizanError,
  MizanProvider,
  mizanQueryKey,
  useMizanCall,
  useMizanContext,
  type HydrationPayload,
  type MizanInvalidation,
} from '../src/index.js';
import { fakeServer, json, protocolError, type Seen } from './helpers.js';

const GreetInput = z.strictObject({ name: z.string() });
type GreetInput = z.infer<typeof GreetInput>;
const RenameInput = z.strictObject({ name: z.string() });
const NoParams = z.strictObject({});

/** A JSON answer with extra headers. */
function answer(body: unknown, headers: Record<string, string>, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function unissued(rev: number): Response {
  return protocolError('bad_request', 400, { details: { reason: 'unissued_rev', rev } });
}

const path = (req: Seen) => new URL(req.url, 'http://localhost').pathname;
const query = (req: Seen) => new URL(req.url, 'http://localhost').search;

function events(client: MizanClient): MizanInvalidation[] {
  const seen: MizanInvalidation[] = [];
  client.onInvalidate((e) => seen.push(e));
  return seen;
}

describe('the cache hints of calls (X-Mizan-Invalidate, X-Mizan-Rev)', () => {
  it('a call answer tells onInvalidate its tags and rev', async () => {
    const server = fakeServer(() =>
      answer({ ok: 1 }, { 'X-Mizan-Invalidate': 'posts, post:42', 'X-Mizan-Rev': '1700000000123' }),
    );
    const client = new MizanClient({ fetch: server.fetch });
    const seen = events(client);
    await client.call('edit_post', { id: 42 });
    expect(seen).toEqual([{ tags: ['posts', 'post:42'], rev: 1700000000123, source: 'response' }]);
  });

  it('a failed call still purges; a missing or malformed rev is undefined; no header, no event', async () => {
    const answers = [
      answer({ code: 'conflict', message: 'no', status: 409 }, { 'X-Mizan-Invalidate': 'a' }, 409),
      answer(1, { 'X-Mizan-Invalidate': 'b', 'X-Mizan-Rev': '-3' }),
      answer(1, { 'X-Mizan-Invalidate': 'c', 'X-Mizan-Rev': '9007199254740993' }),
      json(1),
    ];
    const server = fakeServer(() => answers.shift() ?? json(null));
    const client = new MizanClient({ fetch: server.fetch, batch: false });
    const seen = events(client);
    await expect(client.call('f', {})).rejects.toMatchObject({ code: 'conflict' });
    await client.call('f', {});
    await client.call('f', {});
    await client.call('f', {});
    expect(seen).toEqual([
      { tags: ['a'], rev: undefined, source: 'response' },
      { tags: ['b'], rev: undefined, source: 'response' },
      { tags: ['c'], rev: undefined, source: 'response' },
    ]);
  });

  it('a batch answer carries the union once, whatever its calls', async () => {
    const server = fakeServer(() =>
      answer(
        { results: [{ ok: true, data: 1 }, { ok: true, data: 2 }] },
        { 'X-Mizan-Invalidate': 'x, y', 'X-Mizan-Rev': '5' },
      ),
    );
    const client = new MizanClient({ fetch: server.fetch });
    const seen = events(client);
    await Promise.all([client.call('f', {}), client.call('g', {})]);
    expect(server.seen.map(path)).toEqual(['/api/mizan/batch']);
    expect(seen).toEqual([{ tags: ['x', 'y'], rev: 5, source: 'response' }]);
  });

  it('a multipart call reads them too', async () => {
    const server = fakeServer(() => answer(1, { 'X-Mizan-Invalidate': 'files', 'X-Mizan-Rev': '8' }));
    const client = new MizanClient({ fetch: server.fetch });
    const seen = events(client);
    await client.callMultipart('upload', new FormData());
    expect(seen).toEqual([{ tags: ['files'], rev: 8, source: 'response' }]);
  });

  it('a listener that throws does not stop the others', async () => {
    const server = fakeServer(() => answer(1, { 'X-Mizan-Invalidate': 't', 'X-Mizan-Rev': '2' }));
    const client = new MizanClient({ fetch: server.fetch });
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);
    client.onInvalidate(() => {
      throw new Error('app bug');
    });
    const seen = events(client);
    await client.call('f', {});
    await new Promise((resolve) => setTimeout(resolve, 0));
    process.off('uncaughtException', onError);
    expect(seen).toHaveLength(1);
    expect(errors).toMatchObject([{ message: 'app bug' }]);
  });
});

describe('unissued_rev (spec §2.16.3)', () => {
  it('is retried once with details.rev', async () => {
    const server = fakeServer((req) => (query(req).includes('rev=999') ? unissued(400) : json('hi')));
    const client = new MizanClient({ fetch: server.fetch });
    await expect(client.context('greet', { name: 'a' }, 999)).resolves.toBe('hi');
    expect(server.seen.map(query)).toEqual([
      '?p=%7B%22name%22%3A%22a%22%7D&rev=999',
      '?p=%7B%22name%22%3A%22a%22%7D&rev=400',
    ]);
  });

  it('a details.rev of 0 drops the rev; a second refusal is the error', async () => {
    const server = fakeServer((req) => (query(req) === '' ? unissued(0) : unissued(0)));
    const client = new MizanClient({ fetch: server.fetch });
    const error = await client.context('greet', {}, 7).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MizanError);
    expect(error).toMatchObject({ code: 'bad_request', details: { reason: 'unissued_rev' } });
    expect(server.seen.map(query)).toEqual(['?rev=7', '']);
  });

  it('other bad requests, or a details.rev that is no rev, are not retried', async () => {
    const server = fakeServer(() =>
      protocolError('bad_request', 400, { details: { reason: 'unissued_rev', rev: 'x' } }),
    );
    const client = new MizanClient({ fetch: server.fetch });
    await expect(client.context('greet', {}, 7)).rejects.toMatchObject({ code: 'bad_request' });
    expect(server.seen).toHaveLength(1);
  });
});

/** A greet context and a rename call on one fake server whose greeting changes on rename. */
function greetServer(invalidate: Record<string, string>) {
  let greeting = 'hello';
  return fakeServer((req) => {
    const p = path(req);
    if (p === '/api/mizan/context/greet') {
      return answer(`${greeting} ${JSON.parse(new URLSearchParams(query(req)).get('p') ?? '{}').name}`, {
        'Cache-Tag': 'mizan:fn:greet,mizan:p:0123,greet',
      });
    }
    if (p === '/api/mizan/context/other') return answer('other', { 'Cache-Tag': 'mizan:fn:other' });
    if (p === '/api/mizan/context/current_user') return answer('Grace', { 'Cache-Tag': 'mizan:fn:current_user' });
    if (p === '/api/mizan/call/rename') {
      greeting = 'howdy';
      return answer(null, invalidate);
    }
    if (p === '/api/mizan/batch') {
      greeting = 'howdy';
      return answer({ results: [{ ok: true, data: null }, { ok: true, data: null }] }, invalidate);
    }
    return json(null);
  });
}

function setup(fetch: typeof globalThis.fetch, hydration?: HydrationPayload) {
  const client = new MizanClient({ fetch });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retryDelay: 0 } } });
  const wrapper = ({ children }: { children?: ReactNode }) =>
    createElement(MizanProvider, { client, queryClient, hydration, children });
  return { client, queryClient, wrapper };
}

function useGreetAndRename(rev?: number) {
  const greet = useMizanContext<GreetInput, string>('greet', { name: 'ada' }, GreetInput, { rev });
  const other = useMizanContext<Record<string, never>, string>('other', {}, NoParams);
  const rename = useMizanCall<{ name: string }, null>('rename', RenameInput);
  return { greet, other, rename };
}

describe('context queries refetch on purges of their tags', () => {
  it('refetches with the issued rev under the same query key, and leaves other reads alone', async () => {
    const server = greetServer({ 'X-Mizan-Invalidate': 'greet', 'X-Mizan-Rev': '42' });
    const { client, queryClient, wrapper } = setup(server.fetch);
    const view = renderHook(() => useGreetAndRename(), { wrapper });
    await waitFor(() => expect(view.result.current.greet.data).toBe('hello ada'));
    await waitFor(() => expect(view.result.current.other.data).toBe('other'));
    expect(client.reads.tags).toEqual(['mizan:fn:greet', 'mizan:p:0123', 'greet', 'mizan:fn:other']);
    const before = server.seen.length;
    await act(() => view.result.current.rename.mutateAsync({ name: 'x' }));
    await waitFor(() => expect(view.result.current.greet.data).toBe('howdy ada'));
    const after = server.seen.slice(before).map((r) => `${path(r)}${query(r)}`);
    expect(after).toEqual([
      '/api/mizan/call/rename',
      '/api/mizan/context/greet?p=%7B%22name%22%3A%22ada%22%7D&rev=42',
    ]);
    expect(queryClient.getQueryData(mizanQueryKey('greet', { name: 'ada' }))).toBe('howdy ada');
    expect(client.reads.rev('greet', '{"name":"ada"}')).toBe(42);
  });

  it('sends the larger of the explicit rev and the issued one', async () => {
    const server = greetServer({ 'X-Mizan-Invalidate': 'mizan:fn:greet', 'X-Mizan-Rev': '42' });
    const { wrapper } = setup(server.fetch);
    const view = renderHook(() => useGreetAndRename(100), { wrapper });
    await waitFor(() => expect(view.result.current.greet.data).toBe('hello ada'));
    await act(() => view.result.current.rename.mutateAsync({ name: 'x' }));
    await waitFor(() => expect(view.result.current.greet.data).toBe('howdy ada'));
    const greets = server.seen.filter((r) => path(r) === '/api/mizan/context/greet').map(query);
    expect(greets).toEqual(['?p=%7B%22name%22%3A%22ada%22%7D&rev=100', '?p=%7B%22name%22%3A%22ada%22%7D&rev=100']);
  });

  it('an invalid rev option still fails as invalid_rev, with no request', async () => {
    const server = greetServer({});
    const { wrapper } = setup(server.fetch);
    const view = renderHook(() => useGreetAndRename(-1), { wrapper });
    await waitFor(() => expect(view.result.current.greet.error?.details).toMatchObject({ reason: 'invalid_rev' }));
    expect(server.seen.filter((r) => path(r) === '/api/mizan/context/greet')).toEqual([]);
  });

  it('a batch of calls refetches once, with the batch rev', async () => {
    const server = greetServer({ 'X-Mizan-Invalidate': 'greet, posts', 'X-Mizan-Rev': '77' });
    const { wrapper } = setup(server.fetch);
    const view = renderHook(() => useGreetAndRename(), { wrapper });
    await waitFor(() => expect(view.result.current.greet.data).toBe('hello ada'));
    await act(async () => {
      await Promise.all([
        view.result.current.rename.mutateAsync({ name: 'x' }),
        view.result.current.rename.mutateAsync({ name: 'y' }),
      ]);
    });
    await waitFor(() => expect(view.result.current.greet.data).toBe('howdy ada'));
    const greets = server.seen.filter((r) => path(r) === '/api/mizan/context/greet').map(query);
    expect(greets).toEqual(['?p=%7B%22name%22%3A%22ada%22%7D', '?p=%7B%22name%22%3A%22ada%22%7D&rev=77']);
  });

  it('a purge without a rev refetches the same URL; a purge of tags no read has, nothing', async () => {
    const server = greetServer({ 'X-Mizan-Invalidate': 'greet' });
    const { client, wrapper } = setup(server.fetch);
    const view = renderHook(() => useGreetAndRename(), { wrapper });
    await waitFor(() => expect(view.result.current.greet.data).toBe('hello ada'));
    await act(() => view.result.current.rename.mutateAsync({ name: 'x' }));
    await waitFor(() => expect(view.result.current.greet.data).toBe('howdy ada'));
    const count = server.seen.length;
    act(() => client.invalidated({ tags: ['unrelated'], rev: 9, source: 'live' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.seen).toHaveLength(count);
    const greets = server.seen.filter((r) => path(r) === '/api/mizan/context/greet').map(query);
    expect(greets).toEqual(['?p=%7B%22name%22%3A%22ada%22%7D', '?p=%7B%22name%22%3A%22ada%22%7D']);
  });

  it('hears a purge once: the same rev again (its socket echoing the answer) fetches nothing', async () => {
    const server = greetServer({ 'X-Mizan-Invalidate': 'greet', 'X-Mizan-Rev': '42' });
    const { client, wrapper } = setup(server.fetch);
    const view = renderHook(() => useGreetAndRename(), { wrapper });
    await waitFor(() => expect(view.result.current.greet.data).toBe('hello ada'));
    await act(() => view.result.current.rename.mutateAsync({ name: 'x' }));
    await waitFor(() => expect(view.result.current.greet.data).toBe('howdy ada'));
    const count = server.seen.length;
    act(() => client.invalidated({ tags: ['greet'], rev: 42, source: 'live' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.seen).toHaveLength(count);
    act(() => client.invalidated({ tags: ['greet'], rev: 43, source: 'live' }));
    await waitFor(() => expect(server.seen).toHaveLength(count + 1));
    expect(query(server.seen[count] as Seen)).toContain('&rev=43');
  });

  it('a hydrated global context counts as tagged mizan:fn:<name>', async () => {
    const server = greetServer({ 'X-Mizan-Invalidate': 'mizan:fn:current_user', 'X-Mizan-Rev': '3' });
    const { client, wrapper } = setup(server.fetch, { contexts: { current_user: 'Ada' } });
    const view = renderHook(
      () => ({
        user: useMizanContext<Record<string, never>, string>('current_user', {}, NoParams),
        rename: useMizanCall<{ name: string }, null>('rename', RenameInput),
      }),
      { wrapper },
    );
    expect(view.result.current.user.data).toBe('Ada');
    expect(client.reads.tags).toEqual(['mizan:fn:current_user']);
    await act(() => view.result.current.rename.mutateAsync({ name: 'x' }));
    await waitFor(() => expect(view.result.current.user.data).toBe('Grace'));
    expect(server.seen.map(query)).toContain('?rev=3');
  });

  it('an unissued rev is replaced by details.rev, which later reads keep', async () => {
    let greeting = 'hello';
    const server = fakeServer((req) => {
      const q = query(req);
      if (path(req) === '/api/mizan/call/rename') {
        greeting = 'howdy';
        return answer(null, { 'X-Mizan-Invalidate': 'greet', 'X-Mizan-Rev': '50' });
      }
      if (q.includes('rev=50')) return unissued(40);
      return answer(`${greeting} ada`, { 'Cache-Tag': 'greet' });
    });
    const { client, queryClient, wrapper } = setup(server.fetch);
    const view = renderHook(() => useGreetAndRename(), { wrapper });
    await waitFor(() => expect(view.result.current.greet.data).toBe('hello ada'));
    await act(() => view.result.current.rename.mutateAsync({ name: 'x' }));
    await waitFor(() => expect(view.result.current.greet.data).toBe('howdy ada'));
    expect(client.reads.rev('greet', '{"name":"ada"}')).toBe(40);
    await act(() => queryClient.refetchQueries({ queryKey: ['mizan', 'greet'] }));
    const greets = server.seen.filter((r) => path(r) === '/api/mizan/context/greet').map(query);
    expect(greets.map((q) => /rev=(\d+)/.exec(q)?.[1])).toEqual([undefined, '50', '40', '40']);
  });

  it('forgets the tags of a read once the cache drops its query', async () => {
    const server = greetServer({});
    const client = new MizanClient({ fetch: server.fetch });
    const queryClient = new QueryClient({ defaultOptions: { queries: { gcTime: 10 } } });
    function Other() {
      const q = useMizanContext<Record<string, never>, string>('other', {}, NoParams);
      return createElement('p', null, q.data ?? '');
    }
    const tree = (show: boolean) =>
      createElement(MizanProvider, { client, queryClient }, show ? createElement(Other) : null);
    const view = render(tree(true));
    await waitFor(() => expect(client.reads.tags).toEqual(['mizan:fn:other']));
    view.rerender(tree(false));
    await waitFor(() => expect(client.reads.tags).toEqual([]));
    view.unmount();
  });
});

describe('types', () => {
  it('onInvalidate takes a listener of MizanInvalidation and returns the unsubscribe function', () => {
    const client = new MizanClient();
    expectTypeOf(client.onInvalidate).parameter(0).toEqualTypeOf<(event: MizanInvalidation) => void>();
    expectTypeOf(client.onInvalidate(() => {})).toEqualTypeOf<() => void>();
    expectTypeOf<MizanInvalidation['rev']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<MizanInvalidation['source']>().toEqualTypeOf<'response' | 'live'>();
    expectTypeOf<MizanInvalidation['tags']>().toEqualTypeOf<readonly string[]>();
  });
});
