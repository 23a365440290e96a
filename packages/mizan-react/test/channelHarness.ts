// The shared setup of the channel socket tests: a scripted server, a manual clock, a socket on
// them, and a subscription that records what it is told.
import { afterEach, beforeEach } from 'vitest';
import {
  ChannelSocket,
  type ChannelOptions,
  type ChannelPosition,
  type ChannelSubscriptionStatus,
} from '../src/index.js';
import { ChannelServer, ManualTimers, NodeWebSocket, type Conn } from './channelServer.js';

/** What each test of a file that calls {@link useSocketHarness} works with. */
export interface Harness {
  server: ChannelServer;
  timers: ManualTimers;
  socket: ChannelSocket | undefined;
}

/** Starts a server and a clock before each test, and closes both after it. */
export function useSocketHarness(): Harness {
  const h = {} as Harness;
  beforeEach(async () => {
    h.server = await ChannelServer.start();
    h.timers = new ManualTimers();
    h.socket = undefined;
  });
  afterEach(async () => {
    h.socket?.close();
    await h.server.stop();
  });
  return h;
}

/** A socket to the harness's server, on its clock, with a random factor of 0.5. */
export function openSocket(h: Harness, options: ChannelOptions = {}): ChannelSocket {
  h.socket = new ChannelSocket(() => h.server.url, {
    WebSocket: NodeWebSocket,
    timers: h.timers,
    random: () => 0.5,
    ...options,
  });
  return h.socket;
}

/** A subscription that records what it is told. */
export function record(
  s: ChannelSocket,
  channel = 'chat',
  params: Record<string, unknown> = { room: 'lobby' },
) {
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

/** Answers the `n`th subscribe frame of `conn` with `subscribed` to `room.lobby`. */
export async function subscribed(conn: Conn, n = 0, epoch = 'e1', offset = 0) {
  const frame = await conn.next('subscribe', n);
  conn.subscribed(frame, 'room.lobby', epoch, offset);
  return frame;
}
