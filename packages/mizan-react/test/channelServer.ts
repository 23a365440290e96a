// A real WebSocket server on 127.0.0.1 (an ephemeral port) that tests script frame by frame, as
// the server side of spec §2.15 would answer, and a manual clock for the client's timers.
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket as WsWebSocket, WebSocketServer, type RawData } from 'ws';
import type { ChannelTimers } from '../src/index.js';

/** `ws`'s client class, as the DOM type the runtime expects. */
export const NodeWebSocket = WsWebSocket as unknown as typeof WebSocket;

export type Frame = Record<string, unknown> & { type: string };

const WAIT_MS = 2000;

/** One accepted socket: the frames it received, and how to answer. */
export class Conn {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  #waiters: (() => void)[] = [];

  constructor(
    readonly ws: WsWebSocket,
    readonly headers: IncomingHttpHeaders,
    readonly url: string,
  ) {
    ws.on('message', (data: RawData) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      this.#wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.#wake();
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves when `check` holds, failing after 2 s so that no test hangs. */
  async until<T>(check: () => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The `n`th frame (from 0) of type `type`, waiting for it. */
  next(type: string, n = 0): Promise<Frame> {
    return this.until(() => this.frames.filter((f) => f.type === type)[n], `frame ${type} #${n}`);
  }

  /** Waits until the client closed the socket, and returns its code. */
  closed(): Promise<number> {
    return this.until(() => this.closeCode, 'close');
  }

  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }

  welcome(extra: Record<string, unknown> = {}): void {
    this.send({
      type: 'welcome',
      protocol: 1,
      ping_interval: 25,
      idle_timeout: 60,
      max_frame_bytes: 65536,
      max_subscriptions: 100,
      ...extra,
    });
  }

  /** Answers the subscribe frame `frame` with `subscribed` at `epoch`/`offset`. */
  subscribed(frame: Frame, group: string, epoch: string, offset: number): void {
    this.send({ type: 'subscribed', id: frame.id, channel: frame.channel, group, epoch, offset });
  }

  message(channel: string, group: string, epoch: string, offset: number, data: unknown): void {
    this.send({ type: 'message', channel, group, epoch, offset, data });
  }

  /** Drops the TCP connection without a close handshake (a server process that died). */
  drop(): void {
    this.ws.terminate();
  }
}

/** The scripted server. */
export class ChannelServer {
  readonly conns: Conn[] = [];
  #waiters: (() => void)[] = [];

  private constructor(
    readonly wss: WebSocketServer,
    readonly port: number,
    public autoWelcome: boolean,
  ) {
    wss.on('connection', (ws, req) => {
      const conn = new Conn(ws, req.headers, req.url ?? '');
      this.conns.push(conn);
      if (this.autoWelcome) conn.welcome();
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async start(autoWelcome = true): Promise<ChannelServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/mizan/ws' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return new ChannelServer(wss, (wss.address() as AddressInfo).port, autoWelcome);
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}/api/mizan`;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/api/mizan/ws`;
  }

  /** The `n`th connection (from 0), waiting up to 2 s for it. */
  async conn(n = 0): Promise<Conn> {
    const deadline = Date.now() + WAIT_MS;
    while (this.conns[n] === undefined) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for connection #${n}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.conns[n] as Conn;
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

interface Task {
  id: number;
  at: number;
  ms: number;
  callback: () => void;
}

/** Timers that only run when a test advances them. */
export class ManualTimers implements ChannelTimers {
  now = 0;
  #tasks: Task[] = [];
  #nextId = 0;

  setTimeout = (callback: () => void, ms: number): unknown => {
    this.#nextId += 1;
    this.#tasks.push({ id: this.#nextId, at: this.now + ms, ms, callback });
    return this.#nextId;
  };

  clearTimeout = (handle: unknown): void => {
    this.#tasks = this.#tasks.filter((t) => t.id !== handle);
  };

  /** The delays of the timers waiting, as they were set. */
  get pending(): number[] {
    return this.#tasks.map((t) => t.ms);
  }

  /** Moves time on by `ms`, running every timer due, in order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = this.#tasks.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.clearTimeout(due.id);
      this.now = due.at;
      due.callback();
    }
    this.now = until;
  }
}
