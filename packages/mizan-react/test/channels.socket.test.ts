// The channel socket against a scripted server (spec §2.15.3–§2.15.5, the client's side):
// subscriptions, delivery by position, gaps, send and refusals. Reconnection, auth, liveness and
// closing are in channels.reconnect.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { MizanError, channelUrl, reconnectDelay } from '../src/index.js';
import { openSocket, record, subscribed, useSocketHarness } from './channelHarness.js';

const h = useSocketHarness();

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
    const s = openSocket(h);
    expect(s.status).toBe('idle');
    const { sub, log, statuses } = record(s);
    const conn = await h.server.conn();
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
    const s = openSocket(h);
    const { sub, log } = record(s);
    const conn = await h.server.conn();
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
    const s = openSocket(h);
    const a = record(s);
    const conn = await h.server.conn();
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
    const s = openSocket(h);
    const { sub } = record(s);
    const conn = await h.server.conn();
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
    h.server.autoWelcome = false;
    const s = openSocket(h);
    const { sub } = record(s);
    const conn = await h.server.conn();
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
    const s = openSocket(h);
    const refused = record(s);
    const ended = record(s, 'chat', { room: 'b' });
    const conn = await h.server.conn();
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
    const s = openSocket(h);
    const { sub, statuses } = record(s);
    const conn = await h.server.conn();
    const unavailable = { code: 'unavailable', message: 'the channel layer is down', status: 503 };
    for (const [n, delay] of [[0, 375], [1, 750]] as const) {
      const frame = await conn.next('subscribe', n);
      conn.send({ type: 'error', id: frame.id, error: unavailable });
      await vi.waitFor(() => expect(h.timers.pending).toContain(delay), { timeout: 2000 });
      expect(sub.status).toBe('connecting');
      h.timers.advance(delay);
    }
    const frame = await conn.next('subscribe', 2);
    conn.subscribed(frame, 'room.lobby', 'e1', 0);
    await vi.waitFor(() => expect(sub.status).toBe('subscribed'), { timeout: 2000 });
    expect(statuses).toEqual(['subscribed']);
    expect(new Set(conn.frames.map((f) => f.id))).toEqual(new Set([frame.id]));
  });

  it('ignores frames it does not know or that are not the protocol shape', async () => {
    const s = openSocket(h);
    const { sub, log } = record(s);
    const conn = await h.server.conn();
    await subscribed(conn, 0, 'e1', 0);
    await vi.waitFor(() => expect(sub.status).toBe('subscribed'), { timeout: 2000 });
    conn.ws.send('not json');
    conn.ws.send('[1, 2]');
    conn.send({ type: 'presence', who: 'ada' });
    conn.send({ type: 'message', channel: 'chat', group: 'room.lobby', epoch: 'bad epoch!', offset: 1, data: 1 });
    conn.send({ type: 'message', channel: 'chat', group: 'room.lobby', epoch: 'e1', offset: 1.5, data: 2 });
    conn.send({ type: 'message', channel: 'chat', group: 'room.lobby', epoch: 'e1', offset: 1 });
    conn.send({ type: 'message', channel: 'chat', group: 'room.lobby', epoch: 'e1', offset: 1, data: 3, extra: true });
    await vi.waitFor(() => expect(log).toHaveLength(1), { timeout: 2000 });
    expect(log).toEqual([['message', 3, 'e1', 1]]);
    expect(s.status).toBe('open');
  });

  it('answers ping with pong', async () => {
    const s = openSocket(h);
    record(s);
    const conn = await h.server.conn();
    conn.send({ type: 'ping' });
    expect(await conn.next('pong')).toEqual({ type: 'pong' });
  });

});
