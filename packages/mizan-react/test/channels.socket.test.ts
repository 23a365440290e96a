// The channel socket against a scripted server (spec §2.15.3–§2.15.8, the client's side).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ChannelSocket,
  MizanError,
  channelUrl,
  reconnectDelay,
  type ChannelOptions,
  type ChannelPosition,
  type ChannelSubscriptionStatus,
} from '../src/index.js';
import { ChannelServer, ManualTimers, NodeWebSocket, type Conn } from './channelServer.js';

let server: ChannelServer;
let timers: ManualTimers;
let socket: ChannelSocket;

beforeEach(async () => {
  server = await ChannelServer.start();
  timers = new ManualTimers();
});

afterEach(async () => {
  socket?.close();
  await server.stop();
});

function open(options: ChannelOptions = {}): ChannelSocket {
  socket = new ChannelSocket(() => server.url, {
    WebSocket: NodeWebSocket,
    timers,
    random: () => 0.5,
    ...options,
  });
  return socket;
}

/** A subscription that records what it is told. */
function record(s: ChannelSocket, channel = 'chat', params: Record<string, unknown> = { room: 'lobby' }) {
  const log: unknown[] = [];
  const statuses: ChannelSubscriptionStatus[] = [];
  const sub = s.subscribe<unknown, unknown>(
    { channel, params, schema: 'AAAAAAAAAAAAAAAAAAAAAA' },
    {
      onMessage: (data, at) => log.push(['message', data, at.epoch, at.offset]),
      onGap: (at: ChannelPosition) => log.push(['gap', at.epoch, at.offset]),
      onStatus: (status) => statuses.push(status),
    },
  );
  return { sub, log, statuses };
}

async function subscribed(conn: Conn, n = 0, epoch = 'e1', offset = 0) {
  const frame = await conn.next('subscribe', n);
  conn.subscribed(frame, 'room.lobby', epoch, offset);
  return frame;
}

describe('channelUrl', () => {
  it('turns the base URL into ws(s)://…/ws', () => {
    expect(channelUrl('/api/mizan', 'https://app.example/page')).toBe('wss://app.example/api/mizan/ws');
    expect(channelUrl('http://127.0.0.1:8000/api/mizan')).toBe('ws://127.0.0.1:8000/api/mizan/ws');
    expect(() => channelUrl('/api/mizan', 'not a url')).toThrow(TypeError);
  });
});

describe('reconnectDelay', () => {
  it('doubles from 0.5 s up to 30 s, times a factor in [0.5, 1]', () => {
    expect(reconnectDelay(0, () => 0)).toBe(250);
    expect(reconnectDelay(0, () => 0.999999)).toBeCloseTo(500, 2);
    expect(reconnectDelay(3, () => 0)).toBe(2000);
    expect(reconnectDelay(6, () => 0)).toBe(15_000);
    expect(reconnectDelay(7, () => 0)).toBe(15_000);
    expect(reconnectDelay(7, () => 1)).toBe(30_000);
    expect(reconnectDelay(10_000, () => 0.5)).toBe(22_500);
    for (let attempt = 0; attempt < 20; attempt++) {
      const d = reconnectDelay(attempt);
      const base = Math.min(30_000, 500 * 2 ** attempt);
      expect(d).toBeGreaterThanOrEqual(base / 2);
      expect(d).toBeLessThanOrEqual(base);
    }
  });
});

describe('ChannelSocket', () => {
  it('opens lazily, subscribes after welcome, and delivers messages once in order', async () => {
    const s = open();
    expect(s.status).toBe('idle');
    const { sub, log, statuses } = record(s);
    const conn = await server.conn();
    const frame = await subscribed(conn, 0, 'e1', 40);
    expect(frame).toEqual({
      type: 'subscribe',
      id: frame.id,
      channel: 'chat',
      params: { room: 'lobby' },
      schema: 'AAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(frame.id).toMatch(/^[A-Za-z0-9_.:-]{1,64}$/);
    conn.message('chat', 'room.lobby', 'e1', 41, { text: 'a' });
    conn.message('chat', 'room.lobby', 'e1', 41, { text: 'a again' }); // a repeat
    conn.message('chat', 'room.lobby', 'e1', 40, { text: 'older' }); // a repeat
    conn.message('chat', 'room.other', 'e1', 42, { text: 'other group' });
    conn.message('news', 'room.lobby', 'e1', 42, { text: 'other channel' });
    conn.message('chat', 'room.lobby', 'e1', 42, { text: 'b' });
    await vi.waitFor(() => expect(log).toHaveLength(2), { timeout: 2000 });
    expect(log).toEqual([
      ['message', { text: 'a' }, 'e1', 41],
      ['message', { text: 'b' }, 'e1', 42],
    ]);
    expect(statuses).toEqual(['subscribed']);
    expect(sub.status).toBe('subscribed');
    expect(s.status).toBe('open');
    expect(sub.position).toEqual({ epoch: 'e1', offset: 42 });
  });

  it('reports a gap on another epoch, and on a gap frame, keeping their positions', async () => {
    const s = open();
    const { sub, log } = record(s);
    const conn = await server.conn();
    const frame = await subscribed(conn, 0, 'e1', 5);
    conn.message('chat', 'room.lobby', 'e2', 1, 'restarted');
    conn.message('chat', 'room.lobby', 'e2', 1, 'repeat');
    conn.send({ type: 'gap', id: frame.id, epoch: 'e3', offset: 9 });
    conn.message('chat', 'room.lobby', 'e3', 9, 'repeat of the gap position');
    conn.message('chat', 'room.lobby', 'e3', 10, 'next');
    await vi.waitFor(() => expect(log).toHaveLength(4), { timeout: 2000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual([
      ['gap', 'e2', 1],
      ['message', 'restarted', 'e2', 1],
      ['gap', 'e3', 9],
      ['message', 'next', 'e3', 10],
    ]);
    expect(sub.position).toEqual({ epoch: 'e3', offset: 10 });
  });

  it('hands a message of a shared group to each subscription, by its own position', async () => {
    const s = open();
    const a = record(s);
    const conn = await server.conn();
    await subscribed(conn, 0, 'e1', 3);
    const b = record(s);
    await subscribed(conn, 1, 'e1', 4);
    conn.message('chat', 'room.lobby', 'e1', 4, 'four');
    conn.message('chat', 'room.lobby', 'e1', 5, 'five');
    await vi.waitFor(() => expect(b.log).toHaveLength(1), { timeout: 2000 });
    await vi.waitFor(() => expect(a.log).toHaveLength(2), { timeout: 2000 });
    expect(a.log.map((m) => (m as unknown[])[1])).toEqual(['four', 'five']);
    expect(b.log.map((m) => (m as unknown[])[1])).toEqual(['five']);
  });

  it('send resolves on ack and rejects with the MizanError of an error frame', async () => {
    const s = open();
    const { sub } = record(s);
    const conn = await server.conn();
    const frame = await subscribed(conn);
    await vi.waitFor(() => expect(sub.status).toBe('subscribed'), { timeout: 2000 });
    const ok = sub.send({ text: 'hi' });
    const sent = await conn.next('send', 0);
    expect(sent).toMatchObject({ type: 'send', id: frame.id, data: { text: 'hi' } });
    expect(sent.ref).toMatch(/^[A-Za-z0-9_.:-]{1,64}$/);
    conn.send({ type: 'ack', ref: sent.ref });
    await expect(ok).resolves.toBeUndefined();

    const bad = sub.send({ text: '' });
    const sent2 = await conn.next('send', 1);
    conn.send({
      type: 'error',
      ref: sent2.ref,
      error: {
        code: 'validation_failed',
        message: '1 parameter is invalid',
        status: 422,
        fields: [{ path: ['data', 'text'], message: 'too short' }],
      },
    });
    const error = await bad.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MizanError);
    expect(error).toMatchObject({ code: 'validation_failed', status: 422 });
    expect((error as MizanError).fields).toEqual([{ path: ['data', 'text'], message: 'too short' }]);
  });

  it('refuses a frame over max_frame_bytes before sending it, keeping the socket', async () => {
    server.autoWelcome = false;
    const s = open();
    const { sub } = record(s);
    const conn = await server.conn();
    conn.welcome({ max_frame_bytes: 200 });
    await subscribed(conn);
    await vi.waitFor(() => expect(sub.status).toBe('subscribed'), { timeout: 2000 });
    const error = await sub.send({ text: 'é'.repeat(100) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'payload_too_large', status: 0 });
    const fine = sub.send({ text: 'é' });
    const sent = await conn.next('send', 0);
    expect(sent.data).toEqual({ text: 'é' });
    conn.send({ type: 'ack', ref: sent.ref });
    await fine;
    expect(conn.frames.filter((f) => f.type === 'send')).toHaveLength(1);
  });

  it('surfaces a refused subscribe and a server-ended subscription to their owner', async () => {
    const s = open();
    const refused = record(s);
    const ended = record(s, 'chat', { room: 'b' });
    const conn = await server.conn();
    const f1 = await conn.next('subscribe', 0);
    const f2 = await conn.next('subscribe', 1);
    conn.send({
      type: 'error',
      id: f1.id,
      error: { code: 'forbidden', message: 'no', status: 403 },
    });
    conn.subscribed(f2, 'room.b', 'e1', 0);
    await vi.waitFor(() => expect(ended.sub.status).toBe('subscribed'), { timeout: 2000 });
    conn.send({
      type: 'unsubscribed',
      id: f2.id,
      reason: 'unauthenticated',
      error: { code: 'unauthenticated', message: 'expired', status: 401, details: { reason: 'expired' } },
    });
    await vi.waitFor(() => expect(ended.sub.status).toBe('error'), { timeout: 2000 });
    expect(refused.sub.status).toBe('error');
    expect(refused.sub.error).toMatchObject({ code: 'forbidden', status: 403 });
    expect(ended.sub.error).toMatchObject({ code: 'unauthenticated', details: { reason: 'expired' } });
    expect(ended.statuses).toEqual(['subscribed', 'error']);
    await expect(ended.sub.send('x')).rejects.toMatchObject({ code: 'network_error' });
  });

  it('subscribes again with backoff while the server answers unavailable', async () => {
    const s = open();
    const { sub, statuses } = record(s);
    const conn = await server.conn();
    const unavailable = { code: 'unavailable', message: 'the channel layer is down', status: 503 };
    for (const [n, delay] of [[0, 375], [1, 750]] as const) {
      const frame = await conn.next('subscribe', n);
      conn.send({ type: 'error', id: frame.id, error: unavailable });
      await vi.waitFor(() => expect(timers.pending).toContain(delay), { timeout: 2000 });
      expect(sub.status).toBe('connecting');
      timers.advance(delay);
    }
    const frame = await conn.next('subscribe', 2);
    conn.subscribed(frame, 'room.lobby', 'e1', 0);
    await vi.waitFor(() => expect(sub.status).toBe('subscribed'), { timeout: 2000 });
    expect(statuses).toEqual(['subscribed']);
    expect(new Set(conn.frames.map((f) => f.id))).toEqual(new Set([frame.id]));
  });

  it('answers ping with pong', async () => {
    const s = open();
    record(s);
    const conn = await server.conn();
    conn.send({ type: 'ping' });
    expect(await conn.next('pong')).toEqual({ type: 'pong' });
  });

  it('resubscribes with since after the server drops the socket, and recovers without repeats', async () => {
    const s = open();
    const { sub, log, statuses } = record(s);
    const first = await server.conn(0);
    const f1 = await subscribed(first, 0, 'k3J9', 40);
    first.message('chat', 'room.lobby', 'k3J9', 41, 'a');
    await vi.waitFor(() => expect(log).toHaveLength(1), { timeout: 2000 });
    first.drop();
    await vi.waitFor(() => expect(s.status).toBe('reconnecting'), { timeout: 2000 });
    expect(sub.status).toBe('connecting');
    // attempt 0 with a random factor of 0.5: 0.5 s × 0.75.
    expect(timers.pending).toContain(375);
    timers.advance(375);
    const second = await server.conn(1);
    const f2 = await second.next('subscribe', 0);
    expect(f2).toMatchObject({ id: f1.id, channel: 'chat', since: { epoch: 'k3J9', offset: 41 } });
    second.subscribed(f2, 'room.lobby', 'k3J9', 43);
    second.message('chat', 'room.lobby', 'k3J9', 42, 'b');
    second.message('chat', 'room.lobby', 'k3J9', 43, 'c');
    second.message('chat', 'room.lobby', 'k3J9', 43, 'c live'); // live repeat of a recovered one
    second.message('chat', 'room.lobby', 'k3J9', 44, 'd');
    await vi.waitFor(() => expect(log).toHaveLength(4), { timeout: 2000 });
    expect(log.map((m) => (m as unknown[])[1])).toEqual(['a', 'b', 'c', 'd']);
    expect(statuses).toEqual(['subscribed', 'connecting', 'subscribed']);
    expect(s.status).toBe('open');
  });

  it('backs off 0.5 s doubling while connections fail, and starts over after a welcome', async () => {
    server.autoWelcome = false;
    const s = open({ random: () => 0 });
    record(s);
    const delays: number[] = [];
    for (let n = 0; n < 4; n++) {
      const conn = await server.conn(n);
      conn.drop();
      await vi.waitFor(() => expect(s.status).toBe('reconnecting'), { timeout: 2000 });
      const delay = timers.pending.find((ms) => ms < 60_000) as number;
      delays.push(delay);
      timers.advance(delay - 1);
      expect(server.conns).toHaveLength(n + 1);
      timers.advance(1);
    }
    expect(delays).toEqual([250, 500, 1000, 2000]);
    const conn = await server.conn(4);
    conn.welcome();
    await conn.next('subscribe');
    conn.drop();
    await vi.waitFor(() => expect(s.status).toBe('reconnecting'), { timeout: 2000 });
    expect(timers.pending).toContain(250);
  });

  it('sends the token first on every socket, and null drops it', async () => {
    let token: string | null = 'tok-1';
    const s = open({ token: () => token });
    record(s);
    const first = await server.conn(0);
    const auth = await first.next('auth');
    expect(auth).toMatchObject({ type: 'auth', token: 'tok-1' });
    // No subscription before the server answered the token: it decides what they may see.
    expect(first.frames.map((f) => f.type)).toEqual(['auth']);
    first.send({ type: 'ack', ref: auth.ref });
    await subscribed(first);
    token = 'tok-2';
    first.drop();
    await vi.waitFor(() => expect(s.status).toBe('reconnecting'), { timeout: 2000 });
    timers.advance(500);
    const second = await server.conn(1);
    const auth2 = await second.next('auth');
    expect(auth2.token).toBe('tok-2');
    second.send({ type: 'ack', ref: auth2.ref });
    await subscribed(second);
    const dropping = s.auth(null);
    const auth3 = await second.next('auth', 1);
    expect(auth3.token).toBeNull();
    second.send({ type: 'ack', ref: auth3.ref });
    await dropping;
  });

  it('goes on with the upgrade principal when the token is refused, and says so', async () => {
    const refused: MizanError[] = [];
    const s = open({ token: () => 'bad', onAuthError: (e) => refused.push(e) });
    const { sub } = record(s);
    const conn = await server.conn();
    const auth = await conn.next('auth');
    conn.send({ type: 'error', ref: auth.ref, error: { code: 'unauthenticated', message: 'no', status: 401 } });
    await subscribed(conn);
    await vi.waitFor(() => expect(sub.status).toBe('subscribed'), { timeout: 2000 });
    expect(refused.map((e) => e.code)).toEqual(['unauthenticated']);
  });

  it('treats a socket without server frames for ping_interval + idle_timeout as dead', async () => {
    server.autoWelcome = false;
    const s = open();
    record(s);
    const first = await server.conn(0);
    first.welcome({ ping_interval: 1, idle_timeout: 2 });
    await subscribed(first);
    await vi.waitFor(() => expect(s.status).toBe('open'), { timeout: 2000 });
    // Each server frame re-arms it.
    first.send({ type: 'ping' });
    await first.next('pong');
    timers.advance(2999);
    expect(s.status).toBe('open');
    timers.advance(1);
    expect(s.status).toBe('reconnecting');
    expect(await first.closed()).toBe(1000);
    timers.advance(375);
    const second = await server.conn(1);
    second.welcome();
    expect(await second.next('subscribe')).toHaveProperty('since');
  });

  it('unsubscribes, closes with 1000 after the linger time, and never reconnects by itself', async () => {
    const s = open({ lingerMs: 1000 });
    const statuses: string[] = [];
    s.subscribeStatus(() => statuses.push(s.status));
    const { sub, log } = record(s);
    const conn = await server.conn();
    const frame = await subscribed(conn);
    await vi.waitFor(() => expect(sub.status).toBe('subscribed'), { timeout: 2000 });
    sub.close();
    expect(sub.status).toBe('closed');
    expect(await conn.next('unsubscribe')).toEqual({ type: 'unsubscribe', id: frame.id });
    conn.message('chat', 'room.lobby', 'e1', 1, 'after the end');
    timers.advance(999);
    expect(s.status).toBe('open');
    timers.advance(1);
    expect(await conn.closed()).toBe(1000);
    expect(s.status).toBe('idle');
    expect(timers.pending.filter((ms) => ms < 60_000)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.conns).toHaveLength(1);
    expect(log).toEqual([]);
    expect(statuses).toEqual(['connecting', 'open', 'idle']);
  });

  it('close() ends every subscription with 1000 and no reconnection', async () => {
    const s = open();
    const { sub } = record(s);
    const conn = await server.conn();
    await subscribed(conn);
    s.close();
    expect(sub.status).toBe('closed');
    expect(await conn.closed()).toBe(1000);
    expect(s.status).toBe('idle');
    expect(timers.pending.filter((ms) => ms < 60_000)).toEqual([]);
  });

  it('fails its subscriptions when there is no WebSocket URL', () => {
    socket = new ChannelSocket(() => channelUrl('/api/mizan', 'not a url'), { WebSocket: NodeWebSocket, timers });
    const { sub } = record(socket);
    expect(sub.status).toBe('error');
    expect(sub.error).toMatchObject({ code: 'network_error' });
  });
});
