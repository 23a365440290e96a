// The channel socket across sockets (spec §2.15.7, §2.15.8, the client's side): reconnection
// with backoff and `since`, the token on every socket, liveness, and the client's own close.
import { describe, expect, it, vi } from 'vitest';
import { ChannelSocket, MizanError, channelUrl } from '../src/index.js';
import { NodeWebSocket } from './channelServer.js';
import { openSocket, record, subscribed, useSocketHarness } from './channelHarness.js';

const h = useSocketHarness();

describe('ChannelSocket across sockets', () => {
  it('resubscribes with since after the server drops the socket, and recovers without repeats', async () => {
    const s = openSocket(h);
    const { sub, log, statuses } = record(s);
    const first = await h.server.conn(0);
    const f1 = await subscribed(first, 0, 'k3J9', 40);
    first.message('chat', 'room.lobby', 'k3J9', 41, 'a');
    await vi.waitFor(() => expect(log).toHaveLength(1), { timeout: 2000 });
    first.drop();
    await vi.waitFor(() => expect(s.status).toBe('reconnecting'), { timeout: 2000 });
    expect(sub.status).toBe('connecting');
    // attempt 0 with a random factor of 0.5: 0.5 s × 0.75.
    expect(h.timers.pending).toContain(375);
    h.timers.advance(375);
    const second = await h.server.conn(1);
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

  it('reconnect() replaces the socket at once and resumes every subscription with since', async () => {
    const s = openSocket(h);
    const { sub, log } = record(s);
    const first = await h.server.conn(0);
    const f1 = await subscribed(first, 0, 'k3J9', 10);
    first.message('chat', 'room.lobby', 'k3J9', 11, 'a');
    await vi.waitFor(() => expect(log).toHaveLength(1), { timeout: 2000 });
    s.reconnect();
    // No backoff: the new socket opens now, not after a timer.
    expect(h.timers.pending).not.toContain(375);
    const second = await h.server.conn(1);
    const f2 = await second.next('subscribe', 0);
    expect(f2).toMatchObject({ id: f1.id, since: { epoch: 'k3J9', offset: 11 } });
    second.subscribed(f2, 'room.lobby', 'k3J9', 12);
    second.message('chat', 'room.lobby', 'k3J9', 12, 'b');
    await vi.waitFor(() => expect(log).toHaveLength(2), { timeout: 2000 });
    expect(sub.status).toBe('subscribed');
    expect(await first.closed()).toBe(1000);
  });

  it('backs off 0.5 s doubling while connections fail, and starts over after a welcome', async () => {
    h.server.autoWelcome = false;
    const s = openSocket(h, { random: () => 0 });
    record(s);
    const delays: number[] = [];
    for (let n = 0; n < 4; n++) {
      const conn = await h.server.conn(n);
      conn.drop();
      await vi.waitFor(() => expect(s.status).toBe('reconnecting'), { timeout: 2000 });
      const delay = h.timers.pending.find((ms) => ms < 60_000) as number;
      delays.push(delay);
      h.timers.advance(delay - 1);
      expect(h.server.conns).toHaveLength(n + 1);
      h.timers.advance(1);
    }
    expect(delays).toEqual([250, 500, 1000, 2000]);
    const conn = await h.server.conn(4);
    conn.welcome();
    await conn.next('subscribe');
    conn.drop();
    await vi.waitFor(() => expect(s.status).toBe('reconnecting'), { timeout: 2000 });
    expect(h.timers.pending).toContain(250);
  });

  it('sends the token first on every socket, and null drops it', async () => {
    let token: string | null = 'tok-1';
    const s = openSocket(h, { token: () => token });
    record(s);
    const first = await h.server.conn(0);
    const auth = await first.next('auth');
    expect(auth).toMatchObject({ type: 'auth', token: 'tok-1' });
    // No subscription before the server answered the token: it decides what they may see.
    expect(first.frames.map((f) => f.type)).toEqual(['auth']);
    first.send({ type: 'ack', ref: auth.ref });
    await subscribed(first);
    token = 'tok-2';
    first.drop();
    await vi.waitFor(() => expect(s.status).toBe('reconnecting'), { timeout: 2000 });
    h.timers.advance(500);
    const second = await h.server.conn(1);
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
    const s = openSocket(h, { token: () => 'bad', onAuthError: (e) => refused.push(e) });
    const { sub } = record(s);
    const conn = await h.server.conn();
    const auth = await conn.next('auth');
    conn.send({ type: 'error', ref: auth.ref, error: { code: 'unauthenticated', message: 'no', status: 401 } });
    await subscribed(conn);
    await vi.waitFor(() => expect(sub.status).toBe('subscribed'), { timeout: 2000 });
    expect(refused.map((e) => e.code)).toEqual(['unauthenticated']);
  });

  it('treats a socket without server frames for ping_interval + idle_timeout as dead', async () => {
    h.server.autoWelcome = false;
    const s = openSocket(h);
    record(s);
    const first = await h.server.conn(0);
    first.welcome({ ping_interval: 1, idle_timeout: 2 });
    await subscribed(first);
    await vi.waitFor(() => expect(s.status).toBe('open'), { timeout: 2000 });
    // Each server frame re-arms it.
    first.send({ type: 'ping' });
    await first.next('pong');
    h.timers.advance(2999);
    expect(s.status).toBe('open');
    h.timers.advance(1);
    expect(s.status).toBe('reconnecting');
    expect(await first.closed()).toBe(1000);
    h.timers.advance(375);
    const second = await h.server.conn(1);
    second.welcome();
    expect(await second.next('subscribe')).toHaveProperty('since');
  });

  it('unsubscribes, closes with 1000 after the linger time, and never reconnects by itself', async () => {
    const s = openSocket(h, { lingerMs: 1000 });
    const statuses: string[] = [];
    s.subscribeStatus(() => statuses.push(s.status));
    const { sub, log } = record(s);
    const conn = await h.server.conn();
    const frame = await subscribed(conn);
    await vi.waitFor(() => expect(sub.status).toBe('subscribed'), { timeout: 2000 });
    sub.close();
    expect(sub.status).toBe('closed');
    expect(await conn.next('unsubscribe')).toEqual({ type: 'unsubscribe', id: frame.id });
    conn.message('chat', 'room.lobby', 'e1', 1, 'after the end');
    h.timers.advance(999);
    expect(s.status).toBe('open');
    h.timers.advance(1);
    expect(await conn.closed()).toBe(1000);
    expect(s.status).toBe('idle');
    expect(h.timers.pending.filter((ms) => ms < 60_000)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.server.conns).toHaveLength(1);
    expect(log).toEqual([]);
    expect(statuses).toEqual(['connecting', 'open', 'idle']);
  });

  it('close() ends every subscription with 1000 and no reconnection', async () => {
    const s = openSocket(h);
    const { sub } = record(s);
    const conn = await h.server.conn();
    await subscribed(conn);
    s.close();
    expect(sub.status).toBe('closed');
    expect(await conn.closed()).toBe(1000);
    expect(s.status).toBe('idle');
    expect(h.timers.pending.filter((ms) => ms < 60_000)).toEqual([]);
  });

  it('fails its subscriptions when there is no WebSocket URL', () => {
    h.socket = new ChannelSocket(() => channelUrl('/api/mizan', 'not a url'), { WebSocket: NodeWebSocket, timers: h.timers });
    const { sub } = record(h.socket);
    expect(sub.status).toBe('error');
    expect(sub.error).toMatchObject({ code: 'network_error' });
  });
});
