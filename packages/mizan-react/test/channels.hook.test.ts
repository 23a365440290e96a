// useMizanChannel and useMizanChannelStatus on a real socket to a scripted server.
import { QueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, createElement, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  MizanClient,
  MizanProvider,
  channelSocket,
  useMizanChannel,
  useMizanChannelStatus,
  type ChannelPosition,
} from '../src/index.js';
import { ChannelServer, ManualTimers, NodeWebSocket, type Conn } from './channelServer.js';

interface Post {
  text: string;
}
const RoomParams = z.strictObject({ room: z.string().min(1) });
const PostSchema = z.strictObject({ text: z.string().min(1) });

let server: ChannelServer;
let client: MizanClient;
let timers: ManualTimers;

beforeEach(async () => {
  server = await ChannelServer.start();
  timers = new ManualTimers();
  client = new MizanClient({
    baseUrl: server.base,
    channels: { WebSocket: NodeWebSocket, timers, lingerMs: 1000 },
  });
});

afterEach(async () => {
  channelSocket(client).close();
  await server.stop();
});

function wrapper(strict: boolean) {
  return ({ children }: { children?: ReactNode }) => {
    const tree = createElement(MizanProvider, { client, queryClient: new QueryClient(), children });
    return strict ? createElement(StrictMode, null, tree) : tree;
  };
}

async function answer(conn: Conn, n: number, group: string): Promise<string> {
  const frame = await conn.next('subscribe', n);
  conn.subscribed(frame, group, 'e1', 0);
  return frame.id as string;
}

describe('useMizanChannel', () => {
  it.each([false, true])('subscribes while mounted and unsubscribes on unmount (StrictMode %s)', async (strict) => {
    const received: string[] = [];
    const view = renderHook(
      () =>
        useMizanChannel<{ room: string }, Post, Post>(
          'chat',
          { room: 'lobby' },
          { paramsSchema: RoomParams, onMessage: (m) => received.push(m.text) },
        ),
      { wrapper: wrapper(strict) },
    );
    expect(view.result.current.status).toBe('connecting');
    const conn = await server.conn();
    // StrictMode may mount twice: only the last subscription is live.
    await conn.next('subscribe');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const id = await answer(conn, conn.frames.filter((f) => f.type === 'subscribe').length - 1, 'room.lobby');
    await waitFor(() => expect(view.result.current.status).toBe('subscribed'));
    conn.message('chat', 'room.lobby', 'e1', 1, { text: 'hi' });
    await waitFor(() => expect(view.result.current.lastMessage).toEqual({ text: 'hi' }));
    expect(received).toEqual(['hi']);
    view.unmount();
    const unsubscribes = await conn.until(
      () => {
        const u = conn.frames.filter((f) => f.type === 'unsubscribe');
        return u.some((f) => f.id === id) ? u : undefined;
      },
      'unsubscribe',
    );
    expect(unsubscribes.map((f) => f.id)).toContain(id);
    expect(server.conns).toHaveLength(1);
  });

  it('moves the subscription when the params change canonically, and only then', async () => {
    const view = renderHook(
      ({ params }: { params: Record<string, unknown> }) => useMizanChannel('chat', params),
      { wrapper: wrapper(false), initialProps: { params: { room: 'a', n: 1 } } },
    );
    const conn = await server.conn();
    const first = await answer(conn, 0, 'room.a');
    await waitFor(() => expect(view.result.current.status).toBe('subscribed'));
    // The same members in another order and object: the same canonical JSON, no new frame.
    view.rerender({ params: { n: 1, room: 'a' } });
    view.rerender({ params: { room: 'b', n: 1 } });
    const second = await conn.next('subscribe', 1);
    expect(second.params).toEqual({ room: 'b', n: 1 });
    expect(await conn.next('unsubscribe')).toEqual({ type: 'unsubscribe', id: first });
    expect(conn.frames.filter((f) => f.type === 'subscribe')).toHaveLength(2);
    conn.subscribed(second, 'room.b', 'e1', 0);
    conn.message('chat', 'room.a', 'e1', 1, 'old room');
    conn.message('chat', 'room.b', 'e1', 1, 'new room');
    await waitFor(() => expect(view.result.current.lastMessage).toBe('new room'));
  });

  it('checks params and sends, typed and validated, and reports gaps', async () => {
    const gaps: ChannelPosition[] = [];
    const view = renderHook(
      ({ room }: { room: string }) =>
        useMizanChannel<{ room: string }, Post, Post>(
          'chat',
          { room },
          { paramsSchema: RoomParams, incomingSchema: PostSchema, onGap: (at) => gaps.push(at) },
        ),
      { wrapper: wrapper(false), initialProps: { room: '' } },
    );
    await waitFor(() => expect(view.result.current.status).toBe('error'));
    expect(view.result.current.error).toMatchObject({ code: 'validation_failed', status: 0 });
    expect(view.result.current.error?.fields.map((f) => f.path)).toEqual([['room']]);
    expect(server.conns).toHaveLength(0);

    view.rerender({ room: 'lobby' });
    const conn = await server.conn();
    const id = await answer(conn, 0, 'room.lobby');
    await waitFor(() => expect(view.result.current.status).toBe('subscribed'));
    const invalid = await view.result.current.send({ text: '' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: 'validation_failed', status: 0 });
    let sent!: Promise<void>;
    act(() => {
      sent = view.result.current.send({ text: 'yo' });
    });
    const frame = await conn.next('send');
    expect(frame).toMatchObject({ id, data: { text: 'yo' } });
    conn.send({ type: 'ack', ref: frame.ref });
    await sent;
    expect(conn.frames.filter((f) => f.type === 'send')).toHaveLength(1);
    conn.send({ type: 'gap', id, epoch: 'e9', offset: 3 });
    await waitFor(() => expect(gaps).toEqual([{ epoch: 'e9', offset: 3 }]));
  });

  it('holds the subscription while not enabled', async () => {
    const view = renderHook(
      ({ enabled }: { enabled: boolean }) => useMizanChannel('chat', { room: 'x' }, { enabled }),
      { wrapper: wrapper(false), initialProps: { enabled: false } },
    );
    expect(view.result.current.status).toBe('idle');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.conns).toHaveLength(0);
    view.rerender({ enabled: true });
    const conn = await server.conn();
    await answer(conn, 0, 'room.x');
    await waitFor(() => expect(view.result.current.status).toBe('subscribed'));
  });

  it('surfaces a subscription the server ended', async () => {
    const view = renderHook(() => useMizanChannel('chat', { room: 'x' }), { wrapper: wrapper(false) });
    const conn = await server.conn();
    const id = await answer(conn, 0, 'room.x');
    await waitFor(() => expect(view.result.current.status).toBe('subscribed'));
    conn.send({
      type: 'unsubscribed',
      id,
      reason: 'forbidden',
      error: { code: 'forbidden', message: 'not any more', status: 403 },
    });
    await waitFor(() => expect(view.result.current.status).toBe('error'));
    expect(view.result.current.error).toMatchObject({ code: 'forbidden', status: 403 });
  });

  it('tells a stale_client refusal to the client', async () => {
    const view = renderHook(() => useMizanChannel('chat', {}, { schemaHash: 'AAAAAAAAAAAAAAAAAAAAAA' }), {
      wrapper: wrapper(false),
    });
    const conn = await server.conn();
    const frame = await conn.next('subscribe');
    expect(frame.schema).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    conn.send({
      type: 'error',
      id: frame.id,
      error: { code: 'stale_client', message: 'reload', status: 409 },
    });
    await waitFor(() => expect(view.result.current.status).toBe('error'));
    expect(client.isStale).toBe(true);
  });
});

describe('useMizanChannelStatus', () => {
  it('follows the socket: idle, connecting, open, reconnecting', async () => {
    const view = renderHook(
      () => ({ socket: useMizanChannelStatus(), sub: useMizanChannel('chat', { room: 'x' }) }),
      { wrapper: wrapper(false) },
    );
    const conn = await server.conn();
    await answer(conn, 0, 'room.x');
    await waitFor(() => expect(view.result.current.socket).toBe('open'));
    conn.drop();
    await waitFor(() => expect(view.result.current.socket).toBe('reconnecting'));
    expect(view.result.current.sub.status).toBe('connecting');
    act(() => timers.advance(500));
    const again = await server.conn(1);
    const frame = await again.next('subscribe');
    expect(frame.since).toEqual({ epoch: 'e1', offset: 0 });
    again.subscribed(frame, 'room.x', 'e1', 0);
    await waitFor(() => expect(view.result.current.sub.status).toBe('subscribed'));
    expect(view.result.current.socket).toBe('open');
  });
});
