// The channel hooks mizan-codegen generates (crates/mizan-codegen/tests/golden/channels/, a golden
// file of the generator): typed from the manifest, `send` only where subscribers may send, and
// checking params and sent data with the generated Zod schemas before anything goes out.
import { QueryClient } from '@tanstack/react-query';
import { renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  useBoardChannel,
  useChatChannel,
  useTickerPricesChannel,
  type ChatChannelIncoming,
  type ChatMessage,
  type Move,
} from '../../../crates/mizan-codegen/tests/golden/channels/index.js';
import { MizanClient, MizanProvider, channelSocket, type MizanError } from '../src/index.js';
import { ChannelServer, ManualTimers, NodeWebSocket } from './channelServer.js';

let server: ChannelServer;
let client: MizanClient;

beforeEach(async () => {
  server = await ChannelServer.start();
  client = new MizanClient({
    baseUrl: server.base,
    channels: { WebSocket: NodeWebSocket, timers: new ManualTimers() },
  });
});

afterEach(async () => {
  channelSocket(client).close();
  await server.stop();
});

const wrapper = ({ children }: { children?: ReactNode }) =>
  createElement(MizanProvider, { client, queryClient: new QueryClient(), children });

describe('generated channel hooks', () => {
  it('are typed from the manifest', () => {
    type Chat = ReturnType<typeof useChatChannel>;
    expectTypeOf<Chat['lastMessage']>().toEqualTypeOf<ChatMessage | undefined>();
    expectTypeOf<Chat['send']>().toEqualTypeOf<(data: ChatChannelIncoming) => Promise<void>>();
    expectTypeOf<Chat['error']>().toEqualTypeOf<MizanError | undefined>();
    expectTypeOf<Parameters<typeof useChatChannel>[0]>().toEqualTypeOf<{ room: string }>();
    expectTypeOf<Parameters<typeof useBoardChannel>[0]['id']>().toEqualTypeOf<string>();
    expectTypeOf<Parameters<ReturnType<typeof useBoardChannel>['send']>[0]>().toEqualTypeOf<Move>();
    type Ticker = ReturnType<typeof useTickerPricesChannel>;
    expectTypeOf<Ticker>().not.toHaveProperty('send');
    expectTypeOf<Ticker['lastMessage']>().toEqualTypeOf<[string, number] | undefined>();
  });

  it('check params before subscribing', async () => {
    const view = renderHook(() => useChatChannel({ room: '' }), { wrapper });
    await waitFor(() => expect(view.result.current.status).toBe('error'));
    expect(view.result.current.error).toMatchObject({ code: 'validation_failed', status: 0 });
    expect(server.conns).toHaveLength(0);
  });

  it("subscribe with the channel's schema hash, and check what they send", async () => {
    const messages: ChatMessage[] = [];
    const view = renderHook(() => useChatChannel({ room: 'lobby' }, { onMessage: (m) => messages.push(m) }), {
      wrapper,
    });
    const conn = await server.conn();
    const frame = await conn.next('subscribe');
    expect(frame).toMatchObject({ channel: 'chat', params: { room: 'lobby' } });
    expect(frame.schema).toMatch(/^[A-Za-z0-9_-]{22}$/);
    conn.subscribed(frame, 'room.lobby', 'e1', 0);
    await waitFor(() => expect(view.result.current.status).toBe('subscribed'));
    conn.message('chat', 'room.lobby', 'e1', 1, { author: 'ada', text: 'hi', at: '1' });
    await waitFor(() => expect(messages).toEqual([{ author: 'ada', text: 'hi', at: '1' }]));
    await expect(view.result.current.send({ text: '' })).rejects.toMatchObject({
      code: 'validation_failed',
      fields: [{ path: ['text'], message: expect.any(String) }],
    });
    const sent = view.result.current.send({ text: 'hello' });
    const send = await conn.next('send');
    expect(send.data).toEqual({ text: 'hello' });
    conn.send({ type: 'ack', ref: send.ref });
    await sent;
    expect(conn.frames.filter((f) => f.type === 'send')).toHaveLength(1);
  });
});
