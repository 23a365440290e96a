// Live invalidation (spec §2.16.5) on a real socket to a scripted server: the tags of held reads
// are watched (debounced, again after a reconnect), `invalidated` refetches with its rev, and a
// reconnect refetches every held read.
import { QueryClient } from '@tanstack/react-query';
import { act, render, waitFor } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ChannelSocket,
  MizanClient,
  MizanProvider,
  WATCH_DEBOUNCE_MS,
  channelSocket,
  useMizanContext,
  type MizanInvalidation,
} from '../src/index.js';
import { ChannelServer, ManualTimers, NodeWebSocket, type Conn } from './channelServer.js';
import { fakeServer, json, type FakeServer, type Seen } from './helpers.js';

const NoteParams = z.strictObject({ board: z.string() });
const NoParams = z.strictObject({});

let ws: ChannelServer;
let timers: ManualTimers;
let http: FakeServer;
let version: number;
let clients: MizanClient[];

const search = (req: Seen) => new URL(req.url, 'http://localhost').search;
const reads = (name: string) =>
  http.seen.filter((r) => new URL(r.url).pathname.endsWith(`/context/${name}`)).map(search);

beforeEach(async () => {
  ws = await ChannelServer.start();
  timers = new ManualTimers();
  version = 1;
  clients = [];
  http = fakeServer((req) => {
    const path = new URL(req.url).pathname;
    if (path.endsWith('/context/notes')) {
      return new Response(JSON.stringify(`v${version}`), {
        headers: { 'content-type': 'application/json', 'cache-tag': 'mizan:fn:notes,notes:red' },
      });
    }
    // A context without a policy: no Cache-Tag.
    return json('plain');
  });
});

afterEach(async () => {
  // Closed here too, so a failed test leaves no socket reconnecting into the next one.
  for (const client of clients) channelSocket(client).close();
  await ws.stop();
});

function makeClient(liveInvalidation?: boolean): MizanClient {
  const client = new MizanClient({
    baseUrl: ws.base,
    fetch: http.fetch,
    channels: { WebSocket: NodeWebSocket, timers, lingerMs: 1000, random: () => 0.5 },
    ...(liveInvalidation === undefined ? {} : { liveInvalidation }),
  });
  clients.push(client);
  return client;
}

function Notes() {
  const q = useMizanContext<{ board: string }, string>('notes', { board: 'red' }, NoteParams);
  return createElement('p', { 'data-testid': 'notes' }, q.data ?? '');
}

function Plain() {
  const q = useMizanContext<Record<string, never>, string>('plain', {}, NoParams);
  return createElement('p', { 'data-testid': 'plain' }, q.data ?? '');
}

function mount(client: MizanClient, child: () => ReturnType<typeof createElement>) {
  channelSocket(client);
  return render(createElement(MizanProvider, { client, queryClient: new QueryClient() }, child()));
}

/** Lets the debounce of the watched set run. */
function debounce(): void {
  act(() => timers.advance(WATCH_DEBOUNCE_MS));
}

async function watchFrame(conn: Conn, n = 0) {
  return conn.next('watch', n);
}

describe('live invalidation', () => {
  it('watches the tags of held reads, and refetches with the rev of invalidated', async () => {
    const client = makeClient();
    const events: MizanInvalidation[] = [];
    client.onInvalidate((e) => events.push(e));
    const view = mount(client, () => createElement(Notes));
    await waitFor(() => expect(view.getByTestId('notes').textContent).toBe('v1'));
    // Nothing is sent before the debounce.
    expect(ws.conns).toHaveLength(0);
    debounce();
    const conn = await ws.conn(0);
    expect(await watchFrame(conn)).toEqual({ type: 'watch', tags: ['mizan:fn:notes', 'notes:red'] });

    version = 2;
    conn.send({ type: 'invalidated', tags: ['notes:red'], rev: 1700000000500 });
    await waitFor(() => expect(view.getByTestId('notes').textContent).toBe('v2'));
    expect(reads('notes')).toEqual([
      '?p=%7B%22board%22%3A%22red%22%7D',
      '?p=%7B%22board%22%3A%22red%22%7D&rev=1700000000500',
    ]);
    expect(events).toEqual([{ tags: ['notes:red'], rev: 1700000000500, source: 'live' }]);

    // rev 0: the server's store was out of reach; the read is fetched again as it was.
    version = 3;
    conn.send({ type: 'invalidated', tags: ['notes:red'], rev: 0 });
    await waitFor(() => expect(view.getByTestId('notes').textContent).toBe('v3'));
    expect(reads('notes').at(-1)).toBe('?p=%7B%22board%22%3A%22red%22%7D&rev=1700000000500');
    // A malformed frame is ignored.
    conn.send({ type: 'invalidated', tags: 'notes:red', rev: 5 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(reads('notes')).toHaveLength(3);
    view.unmount();
  });

  it('after a reconnect, watches again and refetches every held read', async () => {
    const client = makeClient();
    const view = mount(client, () => createElement(Notes));
    await waitFor(() => expect(view.getByTestId('notes').textContent).toBe('v1'));
    debounce();
    const first = await ws.conn(0);
    await watchFrame(first);
    version = 2;
    first.drop();
    await waitFor(() => expect(channelSocket(client).status).toBe('reconnecting'));
    act(() => timers.advance(375));
    const second = await ws.conn(1);
    expect(await watchFrame(second)).toEqual({ type: 'watch', tags: ['mizan:fn:notes', 'notes:red'] });
    await waitFor(() => expect(view.getByTestId('notes').textContent).toBe('v2'));
    expect(reads('notes')).toHaveLength(2);
    view.unmount();
  });

  it('opens no socket for a client that holds no tagged read', async () => {
    const client = makeClient();
    const view = mount(client, () => createElement(Plain));
    await waitFor(() => expect(view.getByTestId('plain').textContent).toBe('plain'));
    debounce();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ws.conns).toHaveLength(0);
    expect(channelSocket(client).status).toBe('idle');
    view.unmount();
  });

  it('liveInvalidation: false watches nothing', async () => {
    const client = makeClient(false);
    const view = mount(client, () => createElement(Notes));
    await waitFor(() => expect(view.getByTestId('notes').textContent).toBe('v1'));
    debounce();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ws.conns).toHaveLength(0);
    view.unmount();
  });

  it('clears the watch when the last tagged read goes, and lets the socket close', async () => {
    const client = makeClient();
    const queryClient = new QueryClient({ defaultOptions: { queries: { gcTime: 0 } } });
    channelSocket(client);
    const tree = (show: boolean) =>
      createElement(MizanProvider, { client, queryClient }, show ? createElement(Notes) : null);
    const view = render(tree(true));
    await waitFor(() => expect(view.getByTestId('notes').textContent).toBe('v1'));
    debounce();
    const conn = await ws.conn(0);
    await watchFrame(conn);
    view.rerender(tree(false));
    await waitFor(() => expect(client.reads.tags).toEqual([]));
    debounce();
    expect(await watchFrame(conn, 1)).toEqual({ type: 'watch', tags: [] });
    act(() => timers.advance(1000));
    expect(await conn.closed()).toBe(1000);
    expect(channelSocket(client).status).toBe('idle');
    view.unmount();
  });

  it('sends one watch for reads that mount together, and a set it already sent not again', async () => {
    const client = makeClient();
    function Both() {
      const red = useMizanContext<{ board: string }, string>('notes', { board: 'red' }, NoteParams);
      const blue = useMizanContext<{ board: string }, string>('notes', { board: 'blue' }, NoteParams);
      return createElement('p', { 'data-testid': 'notes' }, `${red.data ?? ''}/${blue.data ?? ''}`);
    }
    const view = mount(client, () => createElement(Both));
    await waitFor(() => expect(view.getByTestId('notes').textContent).toBe('v1/v1'));
    debounce();
    const conn = await ws.conn(0);
    // Both answers carry the same tags here: their union, once.
    expect(await watchFrame(conn)).toEqual({ type: 'watch', tags: ['mizan:fn:notes', 'notes:red'] });
    channelSocket(client).watch(['mizan:fn:notes', 'notes:red']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(conn.frames.filter((f) => f.type === 'watch')).toHaveLength(1);
    view.unmount();
  });
});

describe('ChannelSocket.watch', () => {
  it('sends at most 1024 tags, and only as many as fit in max_frame_bytes', async () => {
    const timers2 = new ManualTimers();
    const socket = new ChannelSocket(() => ws.url, { WebSocket: NodeWebSocket, timers: timers2 });
    const many = Array.from({ length: 1100 }, (_, i) => `t${i}`);
    socket.watch(many);
    const conn = await ws.conn(0);
    const first = await conn.next('watch', 0);
    expect(first.tags).toEqual(many.slice(0, 1024));
    socket.close();
    ws.autoWelcome = false;
    const small = new ChannelSocket(() => ws.url, { WebSocket: NodeWebSocket, timers: timers2 });
    const long = Array.from({ length: 10 }, (_, i) => `${'x'.repeat(100)}${i}`);
    small.watch(long);
    const conn2 = await ws.conn(1);
    // Each tag is 104 bytes of JSON with its comma: four fit in 26 + 4 × 104 = 442 ≤ 450.
    conn2.welcome({ max_frame_bytes: 450 });
    const second = await conn2.next('watch', 0);
    expect(second.tags).toEqual(long.slice(0, 4));
    expect(JSON.stringify(second).length).toBeLessThanOrEqual(450);
    small.close();
  });
});
